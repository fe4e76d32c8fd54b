package dev.ember.autograd;

import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference checks of matmul in all its forms, mm and bmm, with contiguous and strided operands. */
class GradCheckMatmulTest {

    private record Case(String name, BinaryOperator<Tensor> f, int[] a, int[] b) {
    }

    private static Case of(String name, BinaryOperator<Tensor> f, int[] a, int[] b) {
        return new Case(name, f, a, b);
    }

    private static int[] s(int... dims) {
        return dims;
    }

    @TestFactory
    Stream<DynamicTest> matmulForms() {
        List<Case> cases = List.of(
                of("1D . 1D", Tensor::matmul, s(4), s(4)),
                of("2D . 1D", Tensor::matmul, s(3, 4), s(4)),
                of("1D . 2D", Tensor::matmul, s(4), s(4, 2)),
                of("2D . 2D", Tensor::matmul, s(3, 4), s(4, 2)),
                of("3D . 2D", Tensor::matmul, s(2, 3, 4), s(4, 5)),
                of("2D . 3D", Tensor::matmul, s(3, 4), s(2, 4, 5)),
                of("3D . 1D", Tensor::matmul, s(2, 3, 4), s(4)),
                of("1D . 3D", Tensor::matmul, s(4), s(2, 4, 3)),
                of("3D . 3D", Tensor::matmul, s(2, 3, 4), s(2, 4, 2)),
                of("batch broadcast [2,1,3,4] . [3,4,2]", Tensor::matmul, s(2, 1, 3, 4), s(3, 4, 2)),
                of("batch of one broadcast [1,3,4] . [2,4,5]", Tensor::matmul, s(1, 3, 4), s(2, 4, 5)),
                of("4D . 2D", Tensor::matmul, s(2, 2, 3, 4), s(4, 3)),
                of("a.t() . b", (a, b) -> a.t().matmul(b), s(4, 3), s(4, 2)),
                of("a . b.t()", (a, b) -> a.matmul(b.t()), s(3, 4), s(2, 4)),
                of("a.t() . b.t()", (a, b) -> a.t().matmul(b.t()), s(4, 3), s(2, 4)),
                of("batched transposed operands", (a, b) -> a.transpose(-1, -2).matmul(b.transpose(1, 2)),
                        s(2, 4, 3), s(2, 5, 4)),
                of("permuted batch", (a, b) -> a.permute(1, 0, 2).matmul(b), s(3, 2, 4), s(2, 4, 3)),
                of("narrowed columns", (a, b) -> a.narrow(1, 1, 4).matmul(b), s(3, 6), s(4, 2)),
                of("expanded operand", (a, b) -> a.expand(3, 2, 4).matmul(b), s(2, 4), s(3, 4, 2)),
                of("mm", Tensor::mm, s(3, 4), s(4, 5)),
                of("mm transposed", (a, b) -> a.t().mm(b), s(4, 3), s(4, 5)),
                of("bmm", Tensor::bmm, s(2, 3, 4), s(2, 4, 5)),
                of("bmm transposed", (a, b) -> a.bmm(b.transpose(1, 2)), s(2, 3, 4), s(2, 5, 4)),
                of("shared operand", (a, b) -> a.matmul(a.t()).matmul(b), s(3, 4), s(3, 2)));
        int[] seed = {100};
        return cases.stream().map(c -> {
            long sd = seed[0]++;
            return dynamicTest(c.name(), () -> GradCheck.check(in -> c.f().apply(in[0], in[1]),
                    randn(sd, c.a()), randn(sd + 50, c.b())));
        });
    }
}
