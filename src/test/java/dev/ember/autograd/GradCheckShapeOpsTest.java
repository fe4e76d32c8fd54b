package dev.ember.autograd;

import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.backend.ConvGeometry;
import dev.ember.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Finite-difference checks of views, copies, joining, indexing and the window ops. Each function
 * ends in an op that mixes elements ({@code * w}), so a rule that routes a gradient to the wrong
 * element fails.
 */
class GradCheckShapeOpsTest {

    private record Case(String name, UnaryOperator<Tensor> f, Tensor input) {
    }

    private static Stream<DynamicTest> run(List<Case> cases) {
        return cases.stream().map(c -> dynamicTest(c.name(), () -> GradCheck.check(in -> c.f().apply(in[0]), c.input())));
    }

    @TestFactory
    Stream<DynamicTest> views() {
        Tensor x = randn(200, 2, 3, 4);
        Tensor col = randn(201, 3, 1);
        return run(List.of(
                new Case("view", t -> t.view(6, 4).mul(t.view(6, 4).sin()), x),
                new Case("view with -1", t -> t.view(-1, 2).exp(), x),
                new Case("reshape viewable", t -> t.reshape(4, 6).exp(), x),
                new Case("reshape of a transpose (copies)", t -> t.transpose(0, 2).reshape(-1).exp(), x),
                new Case("flatten", t -> t.flatten().exp(), x),
                new Case("flatten(1, 2)", t -> t.flatten(1, 2).exp(), x),
                new Case("permute", t -> t.permute(2, 0, 1).exp().mul(randn(7, 4, 2, 3)), x),
                new Case("transpose", t -> t.transpose(0, 1).exp().mul(randn(8, 3, 2, 4)), x),
                new Case("t", t -> t.select(0, 1).t().mul(randn(9, 4, 3)), x),
                new Case("unsqueeze 0", t -> t.unsqueeze(0).exp(), x),
                new Case("unsqueeze -1 then broadcast", t -> t.unsqueeze(-1).mul(randn(10, 2, 3, 4, 2)), x),
                new Case("squeeze(d)", t -> t.squeeze(1).mul(randn(11, 3)), col),
                new Case("squeeze()", t -> t.unsqueeze(0).squeeze().mul(randn(12, 3)), col),
                new Case("expand", t -> t.expand(2, 3, 4).mul(randn(13, 2, 3, 4)), col),
                new Case("expand with -1", t -> t.expand(-1, 5).mul(randn(14, 3, 5)), col),
                new Case("narrow", t -> t.narrow(2, 1, 2).mul(randn(15, 2, 3, 2)), x),
                new Case("narrow negative start", t -> t.narrow(1, -2, 2).exp(), x),
                new Case("slice", t -> t.slice(2, 1, -1).mul(randn(16, 2, 3, 2)), x),
                new Case("select", t -> t.select(1, 2).mul(randn(17, 2, 4)), x),
                new Case("select negative", t -> t.select(-1, -1).exp(), x),
                new Case("view of a view", t -> t.narrow(0, 1, 1).view(3, 4).t().mul(randn(18, 4, 3)), x),
                new Case("contiguous of a transpose", t -> t.transpose(1, 2).contiguous().mul(randn(19, 2, 4, 3)), x),
                new Case("contiguous of a contiguous", t -> t.contiguous().exp(), x),
                new Case("clone", t -> t.clone().mul(t), x),
                new Case("to(cpu)", t -> t.to(dev.ember.core.Device.cpu()).exp(), x)));
    }

    @TestFactory
    Stream<DynamicTest> catAndStack() {
        Tensor x = randn(210, 2, 3);
        Tensor y = randn(211, 2, 3);
        Tensor z = randn(212, 2, 1);
        return Stream.of(
                dynamicTest("cat dim 0", () -> GradCheck.check(in -> Tensor.cat(List.of(in[0], in[1]), 0).exp(), x, y)),
                dynamicTest("cat dim -1, three inputs", () -> GradCheck.check(
                        in -> Tensor.cat(List.of(in[0], in[2], in[1]), -1).mul(randn(20, 2, 7)), x, y, z)),
                dynamicTest("cat with a repeated input", () -> GradCheck.check(
                        in -> Tensor.cat(List.of(in[0], in[0].t().t()), 1).exp(), x)),
                dynamicTest("stack dim 0", () -> GradCheck.check(
                        in -> Tensor.stack(List.of(in[0], in[1]), 0).mul(randn(21, 2, 2, 3)), x, y)),
                dynamicTest("stack dim 1", () -> GradCheck.check(
                        in -> Tensor.stack(List.of(in[0], in[1]), 1).exp(), x, y)),
                dynamicTest("stack dim -1", () -> GradCheck.check(
                        in -> Tensor.stack(List.of(in[0], in[1], in[0]), -1).mul(randn(22, 2, 3, 3)), x, y)));
    }

    @TestFactory
    Stream<DynamicTest> indexing() {
        Tensor x = randn(220, 3, 4);
        Tensor src = randn(221, 2, 4);
        Tensor index0 = Tensor.wrap(new long[] {2, 0, 1, 0, 1, 1, 2, 2}, 2, 4);
        Tensor index1 = Tensor.wrap(new long[] {3, 3, 0, 1, 2, 0}, 3, 2);
        return Stream.of(
                dynamicTest("gather dim 0, repeated indices", () -> GradCheck.check(
                        in -> in[0].gather(0, index0).exp(), x)),
                dynamicTest("gather dim 1", () -> GradCheck.check(in -> in[0].gather(1, index1).exp(), x)),
                dynamicTest("gather dim -1 of a transpose", () -> GradCheck.check(
                        in -> in[0].t().gather(-1, Tensor.wrap(new long[] {0, 2, 1, 1, 2, 0, 0, 0}, 4, 2)).exp(), x)),
                dynamicTest("scatterAdd, both inputs", () -> GradCheck.check(
                        in -> in[0].scatterAdd(0, index0, in[1]).mul(randn(23, 3, 4)), x, src)),
                dynamicTest("scatterAdd dim 1", () -> GradCheck.check(
                        in -> in[0].scatterAdd(1, index1, in[1]).exp(), x, randn(224, 3, 2))),
                dynamicTest("indexSelect dim 0", () -> GradCheck.check(
                        in -> in[0].indexSelect(0, Tensor.ofLongs(2, 2, 0)).exp(), x)),
                dynamicTest("indexSelect dim 1", () -> GradCheck.check(
                        in -> in[0].indexSelect(1, Tensor.ofLongs(3, 1, 3, 0, 0)).mul(randn(24, 3, 5)), x)));
    }

    @TestFactory
    Stream<DynamicTest> windows() {
        Tensor image = randn(230, 2, 2, 5, 6);
        ConvGeometry plain = new ConvGeometry(2, 5, 6, 2, 3, 1, 1, 0, 0, 1, 1);
        ConvGeometry strided = new ConvGeometry(2, 5, 6, 3, 2, 2, 1, 1, 2, 1, 1);
        ConvGeometry dilated = new ConvGeometry(2, 5, 6, 2, 2, 1, 2, 1, 0, 2, 3);
        return Stream.of(
                dynamicTest("unfold2d", () -> GradCheck.check(in -> in[0].unfold2d(plain, 0f).exp(), image)),
                dynamicTest("unfold2d stride and padding", () -> GradCheck.check(
                        in -> in[0].unfold2d(strided, 0f).mul(randn(25, 2, strided.colRows(), strided.colCols())), image)),
                dynamicTest("unfold2d dilation", () -> GradCheck.check(in -> in[0].unfold2d(dilated, 0f).exp(), image)),
                dynamicTest("unfold2d of a permuted input", () -> GradCheck.check(
                        in -> in[0].permute(0, 1, 3, 2).unfold2d(new ConvGeometry(2, 6, 5, 2, 2, 1, 1, 0, 0, 1, 1), 0f)
                                .exp(), image)),
                dynamicTest("fold2d", () -> GradCheck.check(in -> in[0].fold2d(strided).exp(),
                        randn(231, 2, strided.colRows(), strided.colCols()))),
                dynamicTest("fold2d dilation", () -> GradCheck.check(in -> in[0].fold2d(dilated).mul(randn(26, 2, 2, 5, 6)),
                        randn(232, 2, dilated.colRows(), dilated.colCols()))),
                dynamicTest("fold2d of a narrowed batch", () -> GradCheck.check(in -> in[0].narrow(0, 1, 1).fold2d(plain)
                        .exp(), randn(233, 2, plain.colRows(), plain.colCols()))),
                dynamicTest("unfold2d inside cat", () -> GradCheck.check(in -> Tensor.cat(List.of(
                        in[0].narrow(0, 0, 1).unfold2d(plain, 0f), in[0].narrow(0, 1, 1).unfold2d(plain, 0f)), 0)
                        .fold2d(plain).exp(), image)));
    }

    @TestFactory
    Stream<DynamicTest> inPlaceInsideAGraph() {
        Tensor x = randn(240, 3, 4);
        Tensor z = randn(241, 3, 4);
        Tensor positive = dev.ember.TestTensors.uniform(242, 0.5, 1.5, 3, 4);
        return Stream.of(
                dynamicTest("addInPlace", () -> GradCheck.check(in -> {
                    Tensor y = in[0].mul(2);
                    y.addInPlace(in[1]);
                    return y.exp();
                }, x, z)),
                dynamicTest("addInPlace broadcast with alpha", () -> GradCheck.check(in -> {
                    Tensor y = in[0].mul(in[0]);
                    y.addInPlace(in[1].select(0, 0), -0.5);
                    return y;
                }, x, z)),
                dynamicTest("subInPlace", () -> GradCheck.check(in -> in[0].mul(2).subInPlace(in[1]).mul(in[1]), x, z)),
                dynamicTest("mulInPlace by a tensor", () -> GradCheck.check(
                        in -> in[0].add(1).mulInPlace(in[1]).sin(), x, z)),
                dynamicTest("divInPlace by a tensor", () -> GradCheck.check(
                        in -> in[0].add(1).divInPlace(in[1]), x, positive)),
                dynamicTest("mulInPlace and addInPlace by scalars", () -> GradCheck.check(
                        in -> in[0].sin().mulInPlace(3).addInPlace(-1).mul(in[0]), x)),
                dynamicTest("reluInPlace", () -> GradCheck.check(
                        in -> in[0].mul(1).reluInPlace().mul(in[0]), dev.ember.TestTensors.awayFromZero(243, 3, 4))),
                dynamicTest("clampInPlace", () -> GradCheck.check(
                        in -> in[0].add(0).clampInPlace(-0.45, 0.55).exp(), randn(244, 3, 4))),
                dynamicTest("copyInPlace into a fresh buffer", () -> GradCheck.check(in -> {
                    Tensor buf = Tensor.zeros(3, 4);
                    buf.copyInPlace(in[0].exp());
                    return buf.mul(in[1]);
                }, x, z)),
                dynamicTest("addcmulInPlace", () -> GradCheck.check(
                        in -> in[0].mul(1).addcmulInPlace(in[1], in[1], 0.5), x, z)),
                dynamicTest("two in-place ops in a row", () -> GradCheck.check(in -> {
                    Tensor y = in[0].sin();
                    y.mulInPlace(in[1]).addInPlace(in[1]);
                    return y.mul(y);
                }, x, z)));
    }
}
