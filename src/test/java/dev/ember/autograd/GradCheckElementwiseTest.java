package dev.ember.autograd;

import static dev.ember.TestTensors.awayFromZero;
import static dev.ember.TestTensors.randn;
import static dev.ember.TestTensors.uniform;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.core.Shape;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference checks of every elementwise rule, including broadcasting and scalar operands. */
class GradCheckElementwiseTest {

    /** Operand shape pairs: equal, trailing broadcast, both sides broadcast, and 0-d on either side. */
    private static final int[][][] SHAPES = {
        {{3, 4}, {3, 4}},
        {{3, 4}, {4}},
        {{2, 1, 3}, {4, 1}},
        {{}, {2, 3}},
        {{2, 3}, {}},
        {{3, 1}, {1, 4}},
    };

    private static String name(int[] a, int[] b) {
        return java.util.Arrays.toString(a) + " op " + java.util.Arrays.toString(b);
    }

    private static Stream<DynamicTest> overShapes(String op, BinaryOperator<Tensor> f, ShapeInputs make) {
        List<DynamicTest> tests = new ArrayList<>();
        int seed = 10;
        for (int[][] pair : SHAPES) {
            int s = seed;
            seed += 2;
            tests.add(dynamicTest(op + " " + name(pair[0], pair[1]), () -> GradCheck.check(in -> f.apply(in[0], in[1]),
                    make.make(s, pair[0]), make.make(s + 1, pair[1]))));
        }
        return tests.stream();
    }

    @FunctionalInterface
    private interface ShapeInputs {
        Tensor make(long seed, int[] shape);
    }

    @TestFactory
    Stream<DynamicTest> add() {
        return overShapes("add", Tensor::add, (s, sh) -> randn(s, sh));
    }

    @TestFactory
    Stream<DynamicTest> addWithAlpha() {
        return overShapes("add alpha", (a, b) -> a.add(b, -2.5), (s, sh) -> randn(s, sh));
    }

    @TestFactory
    Stream<DynamicTest> sub() {
        return overShapes("sub", Tensor::sub, (s, sh) -> randn(s, sh));
    }

    @TestFactory
    Stream<DynamicTest> mul() {
        return overShapes("mul", Tensor::mul, (s, sh) -> randn(s, sh));
    }

    @TestFactory
    Stream<DynamicTest> div() {
        // denominators kept in 0.5 <= |y| < 1.5, where 1/y is smooth on the scale of h
        return overShapes("div", Tensor::div, (s, sh) -> s % 2 == 0 ? randn(s, sh) : signed(s, 0.5, 1.5, sh));
    }

    @TestFactory
    Stream<DynamicTest> powOfTwoTensors() {
        return overShapes("pow", Tensor::pow, (s, sh) -> s % 2 == 0 ? uniform(s, 0.5, 2, sh) : uniform(s, -1.5, 1.5, sh));
    }

    @TestFactory
    Stream<DynamicTest> maximum() {
        // x on multiples of 0.1, y halfway between them: never within h of each other
        return overShapes("maximum", Tensor::maximum, GradCheckElementwiseTest::interleaved);
    }

    @TestFactory
    Stream<DynamicTest> minimum() {
        return overShapes("minimum", Tensor::minimum, GradCheckElementwiseTest::interleaved);
    }

    @TestFactory
    Stream<DynamicTest> where() {
        return overShapes("where", (x, y) -> {
            Tensor cond = checkerboard(Shape.broadcast(x.shape(), y.shape(), "where").toArray());
            return Tensor.where(cond, x, y);
        }, (s, sh) -> randn(s, sh));
    }

    @TestFactory
    Stream<DynamicTest> whereWithABroadcastCondition() {
        return overShapes("where cond [4]", (x, y) -> Tensor.where(Tensor.of(1, 0, 0, 1).ne(0), x, y).sum(0, false),
                (s, sh) -> randn(s, sh)).limit(2);
    }

    /** Values k/10 - c for even seeds and k/10 + 0.05 - c for odd ones. */
    private static Tensor interleaved(long seed, int[] shape) {
        Tensor t = Tensor.zeros(shape);
        long[] perm = new dev.ember.tensor.random.Generator(seed).randperm(t.numel());
        float[] v = new float[perm.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.1 * (perm[i] - perm.length / 2) + (seed % 2 == 1 ? 0.05 : 0));
        }
        return Tensor.wrap(v, shape);
    }

    private static Tensor checkerboard(int[] shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[t.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7 % 3 == 0) ? 1 : 0;
        }
        return Tensor.wrap(v, shape).ne(0);
    }

    private static Tensor signed(long seed, double lo, double hi, int... shape) {
        float[] m = uniform(seed, lo, hi, shape).toFloatArray();
        float[] s = uniform(seed + 100, -1, 1, shape).toFloatArray();
        for (int i = 0; i < m.length; i++) {
            m[i] = s[i] < 0 ? -m[i] : m[i];
        }
        return Tensor.wrap(m, shape);
    }

    // ------------------------------------------------------------------ one input

    private record Unary(String name, java.util.function.UnaryOperator<Tensor> f, Tensor input) {
    }

    @TestFactory
    Stream<DynamicTest> unaryOps() {
        Tensor any = randn(40, 3, 4);
        Tensor positive = uniform(41, 0.5, 2.0, 3, 4);
        Tensor nonZero = awayFromZero(42, 3, 4);
        Tensor bounded = signed(43, 0.5, 1.5, 3, 4);
        // avoids the clamp bounds -0.5, 0 and 0.3 by more than h
        Tensor steps = Tensor.of(new float[][] {{-1.2f, -0.7f, -0.3f, 0.1f}, {0.35f, 0.8f, 1.1f, -0.05f}, {0.2f, 0.45f, -0.42f, 2f}});
        List<Unary> cases = List.of(
                new Unary("neg", Tensor::neg, any),
                new Unary("exp", Tensor::exp, any),
                new Unary("log", Tensor::log, positive),
                new Unary("sqrt", Tensor::sqrt, positive),
                new Unary("abs", Tensor::abs, nonZero),
                new Unary("sigmoid", Tensor::sigmoid, any),
                new Unary("tanh", Tensor::tanh, any),
                new Unary("relu", Tensor::relu, nonZero),
                new Unary("leakyRelu", x -> x.leakyRelu(0.1), nonZero),
                new Unary("sin", Tensor::sin, any),
                new Unary("cos", Tensor::cos, any),
                new Unary("reciprocal", Tensor::reciprocal, bounded),
                new Unary("square", Tensor::square, any),
                new Unary("sign", x -> x.sign().mul(x), nonZero),
                new Unary("clamp", x -> x.clamp(-0.5, 0.5), steps),
                new Unary("clampMin", x -> x.clampMin(0), steps),
                new Unary("clampMax", x -> x.clampMax(0.3), steps),
                new Unary("clamp one-sided with NaN", x -> x.clamp(Double.NaN, 0.3), steps),
                new Unary("add scalar", x -> x.add(2.5), any),
                new Unary("sub scalar", x -> x.sub(-1.5), any),
                new Unary("rsub", x -> x.rsub(3), any),
                new Unary("mul scalar", x -> x.mul(-3.0), any),
                new Unary("div scalar", x -> x.div(4.0), any),
                new Unary("pow 2", x -> x.pow(2), any),
                new Unary("pow 3", x -> x.pow(3), any),
                new Unary("pow 0.5", x -> x.pow(0.5), positive),
                new Unary("pow -1.5", x -> x.pow(-1.5), positive),
                new Unary("pow 0", x -> x.pow(0).add(x), any),
                new Unary("rpow 2", x -> x.rpow(2), any),
                new Unary("rpow 0.5", x -> x.rpow(0.5), any),
                new Unary("maskedFill", x -> x.maskedFill(x.gt(0.5), -1), steps),
                new Unary("maskedFill broadcast mask",
                        x -> x.maskedFill(Tensor.of(1, 0, 0, 1).ne(0), 7), any),
                new Unary("chain", x -> x.mul(x.sigmoid()).add(x.tanh().mul(x)).exp().log(), any),
                new Unary("0-d input", x -> x.sum().exp().mul(x.sum().sin()), any));
        return cases.stream().map(c -> dynamicTest(c.name(), () -> GradCheck.check(in -> c.f().apply(in[0]), c.input())));
    }
}
