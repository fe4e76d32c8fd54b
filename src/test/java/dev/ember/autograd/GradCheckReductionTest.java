package dev.ember.autograd;

import static dev.ember.TestTensors.distinct;
import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference checks of reductions, max/min, logsumexp and the softmax family. */
class GradCheckReductionTest {

    private record Case(String name, UnaryOperator<Tensor> f, Tensor input) {
    }

    private static Stream<DynamicTest> run(List<Case> cases) {
        return cases.stream().map(c -> dynamicTest(c.name(), () -> GradCheck.check(in -> c.f().apply(in[0]), c.input())));
    }

    @TestFactory
    Stream<DynamicTest> sumAndMean() {
        Tensor x = randn(50, 2, 3, 4);
        return run(List.of(
                new Case("sum all", Tensor::sum, x),
                new Case("sum dim 1", t -> t.sum(1, false), x),
                new Case("sum dim 1 keepdim", t -> t.sum(1, true), x),
                new Case("sum dim -1", t -> t.sum(-1, false), x),
                new Case("sum dims 0,2", t -> t.sum(new int[] {0, 2}, false), x),
                new Case("sum dims 0,2 keepdim", t -> t.sum(new int[] {2, 0}, true), x),
                new Case("sum of a 0-d tensor", t -> t.sum().sum(), x),
                new Case("mean all", Tensor::mean, x),
                new Case("mean dim 0", t -> t.mean(0, false), x),
                new Case("mean dim 2 keepdim", t -> t.mean(2, true), x),
                new Case("mean dims 1,2", t -> t.mean(new int[] {1, 2}, false), x),
                new Case("mean dims -1,0 keepdim", t -> t.mean(new int[] {-1, 0}, true), x)));
    }

    @TestFactory
    Stream<DynamicTest> varAndStd() {
        Tensor x = randn(51, 2, 3, 4);
        return run(List.of(
                new Case("var all", Tensor::var, x),
                new Case("var dim 1 unbiased", t -> t.var(1, true, false), x),
                new Case("var dim 2 biased keepdim", t -> t.var(2, false, true), x),
                new Case("var dims 0,2", t -> t.var(new int[] {0, 2}, true, false), x),
                new Case("std all", Tensor::std, x),
                new Case("std dim -1 unbiased keepdim", t -> t.std(-1, true, true), x),
                new Case("std dims 0,1 biased", t -> t.std(new int[] {0, 1}, false, false), x)));
    }

    @TestFactory
    Stream<DynamicTest> maxAndMin() {
        Tensor x = distinct(52, 2, 3, 4);
        return run(List.of(
                new Case("max all", Tensor::max, x),
                new Case("min all", Tensor::min, x),
                new Case("max dim 1", t -> t.max(1, false).values(), x),
                new Case("max dim 2 keepdim", t -> t.max(2, true).values(), x),
                new Case("max dim 0", t -> t.max(0, false).values(), x),
                new Case("min dim -1", t -> t.min(-1, false).values(), x),
                new Case("min dim 1 keepdim", t -> t.min(1, true).values(), x),
                new Case("max of a transposed view", t -> t.transpose(0, 2).max(1, false).values(), x),
                new Case("max of a 0-d tensor along dim 0", t -> t.sum().max(0, false).values(), x)));
    }

    @TestFactory
    Stream<DynamicTest> logsumexpAndSoftmax() {
        Tensor x = randn(53, 2, 3, 4);
        return run(List.of(
                new Case("logsumexp dim 1", t -> t.logsumexp(1, false), x),
                new Case("logsumexp dim -1 keepdim", t -> t.logsumexp(-1, true), x),
                new Case("softmax dim 0", t -> t.softmax(0), x),
                new Case("softmax dim 1", t -> t.softmax(1), x),
                new Case("softmax dim -1", t -> t.softmax(-1), x),
                new Case("softmax of a permuted view", t -> t.permute(2, 0, 1).softmax(-1), x),
                new Case("logSoftmax dim 0", t -> t.logSoftmax(0), x),
                new Case("logSoftmax dim 1", t -> t.logSoftmax(1), x),
                new Case("logSoftmax dim -1", t -> t.logSoftmax(-1), x),
                new Case("softmax of large values", t -> t.mul(50).add(1000).softmax(-1).mul(t), x)));
    }
}
