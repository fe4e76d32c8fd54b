package dev.ember.oracle;

import static dev.ember.TestTensors.distinct;
import static dev.ember.TestTensors.randn;
import static dev.ember.TestTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Ember against PyTorch itself (libtorch 2.7.1 CPU through DJL, offline): the same random inputs go
 * through both, and outputs and the gradients of {@code sum(out * R)} must agree to 1e-5 relative.
 * Skipped when the native engine cannot be loaded.
 */
class PyTorchOracleTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    private static Engine engine;
    private static NDManager manager;

    @BeforeAll
    static void loadPyTorch() {
        String why = "";
        try {
            engine = Engine.getEngine("PyTorch");
            manager = engine.newBaseManager();
        } catch (Throwable t) { // a missing or broken native library surfaces as an Error
            why = t.toString();
        }
        String reason = why;
        Assumptions.assumeTrue(manager != null, () -> "PyTorch engine unavailable, skipping the oracle: " + reason);
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    /** One op written twice: with Ember tensors and with DJL arrays. */
    private record Case(String name, Function<Tensor[], Tensor> ember, Function<NDArray[], NDArray> torch,
                        Tensor... inputs) {
    }

    private static NDArray toTorch(NDManager m, Tensor t) {
        ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(
                java.util.Arrays.stream(t.shape().toArray()).asLongStream().toArray());
        return t.dtype() == dev.ember.core.DType.INT64 ? m.create(t.toLongArray(), shape) : m.create(t.toFloatArray(), shape);
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double tol = ATOL + RTOL * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                assertArrayEquals(expected, actual, (float) tol, what + ": element " + i + " (PyTorch " + expected[i]
                        + ", Ember " + actual[i] + ")");
            }
        }
    }

    private static void compare(Case c) {
        // Ember: forward, then backward of sum(out * R)
        Tensor[] leaves = new Tensor[c.inputs().length];
        for (int i = 0; i < leaves.length; i++) {
            Tensor in = c.inputs()[i];
            leaves[i] = in.dtype() == dev.ember.core.DType.FLOAT32
                    ? Tensor.wrap(in.toFloatArray(), in.shape().toArray()).requiresGrad(true) : in;
        }
        Tensor out = c.ember().apply(leaves);
        Tensor r = uniform(99, -1, 1, out.shape().toArray());
        out.backward(r);

        try (NDManager m = manager.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
            NDArray[] arrays = new NDArray[leaves.length];
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = toTorch(m, c.inputs()[i]);
                if (leaves[i].requiresGrad()) {
                    arrays[i].setRequiresGradient(true);
                }
            }
            NDArray expected = c.torch().apply(arrays);
            assertArrayEquals(java.util.Arrays.stream(expected.getShape().getShape()).mapToInt(l -> (int) l).toArray(),
                    out.shape().toArray(), c.name() + ": output shape");
            assertClose(c.name() + " forward", expected.toFloatArray(), out.toFloatArray());
            gc.backward(expected.mul(toTorch(m, r)).sum());
            for (int i = 0; i < arrays.length; i++) {
                if (leaves[i].requiresGrad()) {
                    assertNotNull(leaves[i].grad(), c.name() + ": Ember gradient of input " + i);
                    assertClose(c.name() + " gradient of input " + i, arrays[i].getGradient().toFloatArray(),
                            leaves[i].grad().toFloatArray());
                }
            }
        }
    }

    private static Case c(String name, Function<Tensor[], Tensor> ember, Function<NDArray[], NDArray> torch,
                          Tensor... inputs) {
        return new Case(name, ember, torch, inputs);
    }

    private static int[] axes(int... a) {
        return a;
    }

    @TestFactory
    Stream<DynamicTest> opsAgreeWithPyTorch() {
        List<Case> cases = new ArrayList<>();
        // linear algebra
        cases.add(c("matmul 2D", in -> in[0].matmul(in[1]), in -> in[0].matMul(in[1]), randn(1, 5, 7), randn(2, 7, 3)));
        cases.add(c("matmul batched broadcast", in -> in[0].matmul(in[1]), in -> in[0].matMul(in[1]),
                randn(3, 2, 1, 3, 4), randn(4, 3, 4, 2)));
        cases.add(c("matmul 1D . 2D", in -> in[0].matmul(in[1]), in -> in[0].matMul(in[1]), randn(5, 4), randn(6, 4, 3)));
        cases.add(c("matmul transposed", in -> in[0].t().matmul(in[1]), in -> in[0].transpose().matMul(in[1]),
                randn(7, 6, 3), randn(8, 6, 2)));
        // softmax family
        for (int dim : new int[] {0, 1, -1}) {
            cases.add(c("softmax dim " + dim, in -> in[0].softmax(dim), in -> in[0].softmax(dim), randn(10, 3, 5)));
            cases.add(c("logSoftmax dim " + dim, in -> in[0].logSoftmax(dim), in -> in[0].logSoftmax(dim),
                    randn(11, 3, 5)));
        }
        cases.add(c("logSoftmax of large logits", in -> in[0].mul(30).logSoftmax(1), in -> in[0].mul(30).logSoftmax(1),
                randn(12, 4, 6)));
        // unary
        cases.add(c("exp", in -> in[0].exp(), in -> in[0].exp(), randn(20, 3, 4)));
        cases.add(c("log", in -> in[0].log(), in -> in[0].log(), uniform(21, 0.1, 3, 3, 4)));
        cases.add(c("sigmoid", in -> in[0].sigmoid(), in -> Activation.sigmoid(in[0]), randn(22, 3, 4).mul(3)));
        cases.add(c("tanh", in -> in[0].tanh(), in -> in[0].tanh(), randn(23, 3, 4).mul(2)));
        cases.add(c("relu", in -> in[0].relu(), in -> Activation.relu(in[0]), randn(24, 3, 4)));
        cases.add(c("sqrt", in -> in[0].sqrt(), in -> in[0].sqrt(), uniform(25, 0.1, 3, 3, 4)));
        cases.add(c("abs", in -> in[0].abs(), in -> in[0].abs(), randn(26, 3, 4)));
        cases.add(c("pow 3", in -> in[0].pow(3), in -> in[0].pow(3), randn(27, 3, 4)));
        cases.add(c("sin", in -> in[0].sin(), in -> in[0].sin(), randn(28, 3, 4)));
        // reductions
        cases.add(c("sum dim 1", in -> in[0].sum(1, false), in -> in[0].sum(axes(1), false), randn(30, 2, 3, 4)));
        cases.add(c("sum dims 0,2 keepdim", in -> in[0].sum(new int[] {0, 2}, true), in -> in[0].sum(axes(0, 2), true),
                randn(31, 2, 3, 4)));
        cases.add(c("sum all", in -> in[0].sum(), in -> in[0].sum(), randn(32, 2, 3, 4)));
        cases.add(c("mean dim -1", in -> in[0].mean(-1, false), in -> in[0].mean(axes(2), false), randn(33, 2, 3, 4)));
        cases.add(c("mean dims 0,1 keepdim", in -> in[0].mean(new int[] {0, 1}, true), in -> in[0].mean(axes(0), true).mean(axes(1), true), // DJL: one axis at a time
                randn(34, 2, 3, 4)));
        cases.add(c("max dim 1", in -> in[0].max(1, false).values(), in -> in[0].max(axes(1), false),
                distinct(35, 3, 5)));
        cases.add(c("max dim 0 keepdim", in -> in[0].max(0, true).values(), in -> in[0].max(axes(0), true),
                distinct(36, 3, 5)));
        // broadcasting arithmetic
        cases.add(c("add [3,4] + [4]", in -> in[0].add(in[1]), in -> in[0].add(in[1]), randn(40, 3, 4), randn(41, 4)));
        cases.add(c("mul [2,1,3] * [4,1]", in -> in[0].mul(in[1]), in -> in[0].mul(in[1]), randn(42, 2, 1, 3),
                randn(43, 4, 1)));
        cases.add(c("div [3,4] / [3,1]", in -> in[0].div(in[1]), in -> in[0].div(in[1]), randn(44, 3, 4),
                uniform(45, 0.5, 2, 3, 1)));
        cases.add(c("sub scalar tensor", in -> in[0].sub(in[1]), in -> in[0].sub(in[1]), randn(46, 3, 4), randn(47)));
        // indexing
        Tensor index = Tensor.wrap(new long[] {2, 0, 4, 4, 1, 3, 0, 0, 2}, 3, 3);
        cases.add(c("gather dim 1", in -> in[0].gather(1, in[1]), in -> in[0].gather(in[1], 1), randn(50, 3, 5), index));
        // a small network: linear, relu, linear, log-softmax, picked log-probabilities
        Tensor labels = Tensor.wrap(new long[] {1, 0, 2, 1}, 4, 1);
        cases.add(c("two-layer classifier", in -> in[0].matmul(in[1]).add(in[2]).relu().matmul(in[3]).logSoftmax(1)
                        .gather(1, in[4]).mean(),
                in -> Activation.relu(in[0].matMul(in[1]).add(in[2])).matMul(in[3]).logSoftmax(1).gather(in[4], 1).mean(),
                randn(60, 4, 5), randn(61, 5, 6), randn(62, 6), randn(63, 6, 3), labels));
        return cases.stream().map(k -> dynamicTest(k.name(), () -> compare(k)));
    }
}
