package dev.ember.nn;

import static dev.ember.nn.Approx.assertClose;
import static dev.ember.nn.FiniteDiff.distinct;
import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Layers against live libtorch 2.7.1 (DJL's PyTorch engine): forward values, PyTorch's default
 * initialisation draw for draw, pooling gradients (tie-breaking), batch-norm running statistics and
 * dropout masks. Skipped, with the reason, when libtorch cannot be loaded.
 */
class TorchOracleNnTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;

    private static TorchNn torch;

    @BeforeEach
    void requireOracle() {
        if (torch == null) {
            torch = TorchNn.openOrSkip();
        }
    }

    @AfterAll
    static void closeOracle() {
        if (torch != null) {
            torch.close();
            torch = null;
        }
    }

    // ---------------------------------------------------------------- initialisation

    /** {@code init.kaiming_uniform_(w, a=math.sqrt(5))}'s bound, with Python's arithmetic step by step. */
    private static double kaimingBound(int fanIn) {
        double a = Math.sqrt(5);
        double gain = Math.sqrt(2.0 / (1 + Math.pow(a, 2)));
        double std = gain / Math.sqrt(fanIn);
        return Math.sqrt(3.0) * std;
    }

    @Test
    void linearInitMatchesTorch() {
        for (long seed : new long[] {0, 1, 1234}) {
            Generator.manualSeed(seed);
            Linear lin = new Linear(4, 3);
            torch.manualSeed(seed);
            float[] w = torch.uniform(12, -kaimingBound(4), kaimingBound(4));
            float[] b = torch.uniform(3, -1 / Math.sqrt(4), 1 / Math.sqrt(4));
            assertArrayEquals(w, lin.weight().toFloatArray(), "Linear(4, 3).weight after manual_seed(" + seed + ")");
            assertArrayEquals(b, lin.bias().toFloatArray(), "Linear(4, 3).bias after manual_seed(" + seed + ")");
        }
        // weight-then-bias order, module after module
        Generator.manualSeed(7);
        Sequential net = new Sequential(new Linear(5, 2), new ReLU(), new Linear(2, 3, false));
        torch.manualSeed(7);
        assertArrayEquals(torch.uniform(10, -kaimingBound(5), kaimingBound(5)), net.stateDict().get("0.weight").toFloatArray());
        assertArrayEquals(torch.uniform(2, -1 / Math.sqrt(5), 1 / Math.sqrt(5)), net.stateDict().get("0.bias").toFloatArray());
        assertArrayEquals(torch.uniform(6, -kaimingBound(2), kaimingBound(2)), net.stateDict().get("2.weight").toFloatArray());
    }

    @Test
    void conv2dInitMatchesTorch() {
        Generator.manualSeed(0);
        Conv2d conv = new Conv2d(2, 3, 3);
        Conv2d rect = Conv2d.builder(3, 4, 1).kernel(2, 5).build();
        torch.manualSeed(0);
        int fan = 2 * 3 * 3;
        assertArrayEquals(torch.uniform(54, -kaimingBound(fan), kaimingBound(fan)), conv.weight().toFloatArray());
        assertArrayEquals(torch.uniform(3, -1 / Math.sqrt(fan), 1 / Math.sqrt(fan)), conv.bias().toFloatArray());
        int fan2 = 3 * 2 * 5;
        assertArrayEquals(torch.uniform(120, -kaimingBound(fan2), kaimingBound(fan2)), rect.weight().toFloatArray());
        assertArrayEquals(torch.uniform(4, -1 / Math.sqrt(fan2), 1 / Math.sqrt(fan2)), rect.bias().toFloatArray());
    }

    @Test
    void otherInitsUseTorchsArithmetic() {
        int[][] shapes = {{3, 5}, {7, 11}, {10, 3}, {64, 27}, {6, 4, 3, 3}, {5, 13, 2, 7}};
        for (int[] shape : shapes) {
            int receptive = shape.length == 4 ? shape[2] * shape[3] : 1;
            int fanIn = shape[1] * receptive;
            int fanOut = shape[0] * receptive;
            int n = shape[0] * fanIn;
            String what = java.util.Arrays.toString(shape);
            for (double gain : new double[] {1.0, Math.sqrt(2.0), 5.0 / 3}) {
                // init.xavier_uniform_: std = gain * sqrt(2 / (fan_in + fan_out)); a = sqrt(3) * std
                double a = Math.sqrt(3.0) * (gain * Math.sqrt(2.0 / (double) (fanIn + fanOut)));
                Generator.manualSeed(11);
                Tensor w = dev.ember.nn.init.Init.xavierUniform(Tensor.zeros(shape), gain);
                torch.manualSeed(11);
                assertArrayEquals(torch.uniform(n, -a, a), w.toFloatArray(), "xavier_uniform_ " + what + " gain " + gain);
            }
            // init.kaiming_normal_(mode='fan_in', nonlinearity='relu'): std = sqrt(2) / sqrt(fan_in)
            Generator.manualSeed(12);
            Tensor k = dev.ember.nn.init.Init.kaimingNormal(Tensor.zeros(shape));
            torch.manualSeed(12);
            assertArrayEquals(torch.normal(n, 0, Math.sqrt(2.0) / Math.sqrt(fanIn)), k.toFloatArray(),
                    "kaiming_normal_ " + what);
            // init.kaiming_uniform_(a=0): bound = sqrt(3) * sqrt(2) / sqrt(fan_in)
            Generator.manualSeed(13);
            Tensor ku = dev.ember.nn.init.Init.kaimingUniform(Tensor.zeros(shape), 0);
            torch.manualSeed(13);
            double bound = Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + Math.pow(0, 2))) / Math.sqrt(fanIn));
            assertArrayEquals(torch.uniform(n, -bound, bound), ku.toFloatArray(), "kaiming_uniform_ " + what);
        }
    }

    // ---------------------------------------------------------------- forward values

    @Test
    void linearForward() {
        Generator.manualSeed(3);
        Linear lin = new Linear(6, 4);
        Tensor x = uniform(1, -2, 2, 5, 6);
        assertClose(torch.linear(x, lin.weight(), lin.bias()), lin.forward(x).toFloatArray(), ATOL, RTOL, "linear");
        Linear noBias = new Linear(6, 4, false);
        assertClose(torch.linear(x, noBias.weight(), null), noBias.forward(x).toFloatArray(), ATOL, RTOL,
                "linear without bias");
    }

    @Test
    void conv2dForward() {
        int[][][] configs = { // stride, padding, dilation
            {{1, 1}, {0, 0}, {1, 1}},
            {{2, 2}, {1, 1}, {1, 1}},
            {{1, 1}, {2, 2}, {2, 2}},
            {{2, 1}, {0, 1}, {1, 2}},
            {{3, 3}, {1, 1}, {1, 1}},
        };
        Tensor x = uniform(2, -1, 1, 2, 3, 9, 8);
        Tensor w = uniform(3, -0.5, 0.5, 4, 3, 3, 3);
        Tensor b = uniform(4, -0.5, 0.5, 4);
        for (int[][] c : configs) {
            String what = "conv2d stride " + c[0][0] + "x" + c[0][1] + " padding " + c[1][0] + "x" + c[1][1]
                    + " dilation " + c[2][0] + "x" + c[2][1];
            assertClose(torch.conv2d(x, w, b, c[0], c[1], c[2]), F.conv2d(x, w, b, c[0], c[1], c[2]).toFloatArray(),
                    ATOL, RTOL, what);
            assertClose(torch.conv2d(x, w, null, c[0], c[1], c[2]),
                    F.conv2d(x, w, null, c[0], c[1], c[2]).toFloatArray(), ATOL, RTOL, what + " without bias");
        }
        Tensor rect = uniform(5, -0.5, 0.5, 2, 3, 2, 4);
        int[] one = {1, 1};
        assertClose(torch.conv2d(x, rect, null, new int[] {2, 1}, one, one),
                F.conv2d(x, rect, null, new int[] {2, 1}, one, one).toFloatArray(), ATOL, RTOL, "conv2d kernel 2x4");
        Conv2d module = Conv2d.builder(3, 4, 3).stride(2).padding(1).dilation(2).build();
        assertClose(torch.conv2d(x, module.weight(), module.bias(), new int[] {2, 2}, one, new int[] {2, 2}),
                module.forward(x).toFloatArray(), ATOL, RTOL, "Conv2d module");
    }

    private static final int[][][] POOLS = { // kernel, stride, padding
        {{2, 2}, {2, 2}, {0, 0}},
        {{3, 3}, {2, 2}, {1, 1}},
        {{3, 3}, {1, 1}, {1, 1}},
        {{2, 2}, {1, 1}, {1, 1}},
        {{3, 3}, {3, 3}, {0, 0}},
    };

    @Test
    void maxPoolForwardIncludingNegativeInfinityPadding() {
        Tensor x = uniform(10, -3, 3, 2, 3, 7, 6);
        Tensor negative = uniform(11, -9, -1, 1, 2, 5, 5);
        for (int[][] c : POOLS) {
            String what = "max_pool2d kernel " + c[0][0] + " stride " + c[1][0] + " padding " + c[2][0];
            assertArrayEquals(torch.maxPool2d(x, c[0], c[1], c[2]), F.maxPool2d(x, c[0], c[1], c[2]).toFloatArray(), what);
            // all-negative input: zero padding would win every border window, -inf padding never does
            assertArrayEquals(torch.maxPool2d(negative, c[0], c[1], c[2]),
                    F.maxPool2d(negative, c[0], c[1], c[2]).toFloatArray(), what + ", negative input");
        }
        Tensor nan = Tensor.of(new float[][] {{1, Float.NaN, 3, 4}, {5, 6, 7, 8}}).view(1, 1, 2, 4);
        int[] k = {2, 2};
        assertArrayEquals(torch.maxPool2d(nan, k, k, new int[] {0, 0}), F.maxPool2d(nan, k, k, new int[] {0, 0})
                .toFloatArray(), "max_pool2d propagates NaN");
    }

    @Test
    void avgPoolForwardCountsPadding() {
        Tensor x = uniform(12, -3, 3, 2, 3, 7, 6);
        for (int[][] c : POOLS) {
            String what = "avg_pool2d kernel " + c[0][0] + " stride " + c[1][0] + " padding " + c[2][0];
            assertClose(torch.avgPool2d(x, c[0], c[1], c[2], true), F.avgPool2d(x, c[0], c[1], c[2]).toFloatArray(),
                    ATOL, RTOL, what + " (count_include_pad=True, PyTorch's default)");
        }
        assertClose(torch.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true),
                new AvgPool2d(3, 2, 1).forward(x).toFloatArray(), ATOL, RTOL, "AvgPool2d(3, 2, 1)");
    }

    @Test
    void adaptiveAvgPoolForward() {
        int[][] sizes = {{7, 6, 1, 1}, {8, 6, 4, 3}, {7, 6, 3, 4}, {5, 5, 4, 3}, {5, 7, 3, 2}, {3, 4, 5, 6}, {7, 6, 7, 6}};
        for (int[] s : sizes) {
            Tensor x = uniform(13 + s[0] * 10 + s[1], -3, 3, 2, 2, s[0], s[1]);
            assertClose(torch.adaptiveAvgPool2d(x, s[2], s[3]), new AdaptiveAvgPool2d(s[2], s[3]).forward(x)
                    .toFloatArray(), ATOL, RTOL, "adaptive_avg_pool2d " + s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3]);
        }
    }

    @Test
    void softmaxAndLogSoftmaxForward() {
        Tensor x = uniform(14, -5, 5, 3, 4, 5);
        for (int dim = 0; dim < 3; dim++) {
            assertClose(torch.softmax(x, dim), new Softmax(dim).forward(x).toFloatArray(), 1e-6, 1e-5, "softmax " + dim);
            assertClose(torch.logSoftmax(x, dim), new LogSoftmax(dim).forward(x).toFloatArray(), ATOL, RTOL,
                    "log_softmax " + dim);
        }
        Tensor big = Tensor.of(new float[][] {{1000, 0, -1000}, {-1e30f, 1e30f, 0}});
        assertClose(torch.logSoftmax(big, 1), new LogSoftmax(1).forward(big).toFloatArray(), ATOL, RTOL,
                "log_softmax of extreme logits");
        assertClose(torch.softmax(big, 1), new Softmax(1).forward(big).toFloatArray(), ATOL, RTOL,
                "softmax of extreme logits");
    }

    // ---------------------------------------------------------------- batch norm

    @Test
    void batchNormArgumentOrder() {
        // pins the oracle's own plumbing: eval mode, y = (x - mean) / sqrt(var + eps) * weight + bias
        Tensor x = Tensor.of(new float[][] {{0f}, {1f}});
        TorchNn.BatchNormResult r = torch.batchNorm(x, Tensor.of(0.5f), Tensor.of(4f), Tensor.of(2f), Tensor.of(3f),
                false, 0.1, 0);
        assertArrayEquals(new float[] {2.5f, 3.5f}, r.output());
    }

    @Test
    void batchNorm1dTrainingUpdatesRunningStatsAsTorch() {
        BatchNorm1d bn = new BatchNorm1d(3);
        FiniteDiff.assign(bn.namedParameters().get("weight"), uniform(20, 0.5, 1.5, 3));
        FiniteDiff.assign(bn.namedParameters().get("bias"), uniform(21, -1, 1, 3));
        Tensor rm = Tensor.zeros(3);
        Tensor rv = Tensor.ones(3);
        for (int step = 0; step < 3; step++) {
            Tensor x = uniform(22 + step, -2, 3, 5, 3);
            TorchNn.BatchNormResult r = torch.batchNorm(x, rm, rv, bn.namedParameters().get("weight"),
                    bn.namedParameters().get("bias"), true, 0.1, 1e-5);
            assertClose(r.output(), bn.forward(x).toFloatArray(), ATOL, RTOL, "BatchNorm1d train output, step " + step);
            assertClose(r.runningMean(), bn.runningMean().toFloatArray(), 1e-6, 1e-5, "running_mean, step " + step);
            assertClose(r.runningVar(), bn.runningVar().toFloatArray(), 1e-6, 1e-5, "running_var, step " + step);
            rm = Tensor.of(r.runningMean());
            rv = Tensor.of(r.runningVar());
        }
        assertEquals(3L, bn.namedBuffers().get("num_batches_tracked").item());
        bn.eval();
        Tensor x = uniform(30, -2, 3, 4, 3);
        TorchNn.BatchNormResult r = torch.batchNorm(x, rm, rv, bn.namedParameters().get("weight"),
                bn.namedParameters().get("bias"), false, 0.1, 1e-5);
        float[] meanBefore = bn.runningMean().toFloatArray();
        float[] varBefore = bn.runningVar().toFloatArray();
        assertClose(r.output(), bn.forward(x).toFloatArray(), ATOL, RTOL, "BatchNorm1d eval output");
        assertArrayEquals(meanBefore, bn.runningMean().toFloatArray(), "eval leaves running_mean alone");
        assertArrayEquals(varBefore, bn.runningVar().toFloatArray(), "eval leaves running_var alone");
        assertEquals(3L, bn.namedBuffers().get("num_batches_tracked").item(), "eval does not count batches");
    }

    @Test
    void batchNorm2dTrainingAndEvalAsTorch() {
        BatchNorm2d bn = new BatchNorm2d(2);
        FiniteDiff.assign(bn.namedParameters().get("weight"), uniform(40, 0.5, 1.5, 2));
        FiniteDiff.assign(bn.namedParameters().get("bias"), uniform(41, -1, 1, 2));
        Tensor x = uniform(42, -1, 4, 3, 2, 4, 5);
        TorchNn.BatchNormResult r = torch.batchNorm(x, Tensor.zeros(2), Tensor.ones(2),
                bn.namedParameters().get("weight"), bn.namedParameters().get("bias"), true, 0.1, 1e-5);
        assertClose(r.output(), bn.forward(x).toFloatArray(), ATOL, RTOL, "BatchNorm2d train output");
        assertClose(r.runningMean(), bn.runningMean().toFloatArray(), 1e-6, 1e-5, "BatchNorm2d running_mean");
        assertClose(r.runningVar(), bn.runningVar().toFloatArray(), 1e-6, 1e-5, "BatchNorm2d running_var");
        bn.eval();
        Tensor y = uniform(43, -1, 4, 2, 2, 3, 3);
        TorchNn.BatchNormResult e = torch.batchNorm(y, Tensor.of(r.runningMean()), Tensor.of(r.runningVar()),
                bn.namedParameters().get("weight"), bn.namedParameters().get("bias"), false, 0.1, 1e-5);
        assertClose(e.output(), bn.forward(y).toFloatArray(), ATOL, RTOL, "BatchNorm2d eval output");
    }

    @Test
    void batchNorm1dOnSequencesAsTorch() {
        BatchNorm1d bn = new BatchNorm1d(3);
        FiniteDiff.assign(bn.namedParameters().get("weight"), uniform(44, 0.5, 1.5, 3));
        FiniteDiff.assign(bn.namedParameters().get("bias"), uniform(45, -1, 1, 3));
        Tensor x = uniform(46, -1, 4, 4, 3, 5);
        TorchNn.BatchNormResult r = torch.batchNorm(x, Tensor.zeros(3), Tensor.ones(3),
                bn.namedParameters().get("weight"), bn.namedParameters().get("bias"), true, 0.1, 1e-5);
        assertClose(r.output(), bn.forward(x).toFloatArray(), ATOL, RTOL, "BatchNorm1d [N, C, L] train output");
        assertClose(r.runningMean(), bn.runningMean().toFloatArray(), 1e-6, 1e-5, "BatchNorm1d [N, C, L] running_mean");
        assertClose(r.runningVar(), bn.runningVar().toFloatArray(), 1e-6, 1e-5, "BatchNorm1d [N, C, L] running_var");
    }

    // ---------------------------------------------------------------- gradients

    @Test
    void maxPoolGradientBreaksTiesAsTorch() {
        // few distinct values: most windows hold ties; PyTorch routes each window's gradient to its first
        // maximum in row-major window order (padding never wins)
        Tensor x = uniform(50, 0, 3, 2, 2, 6, 7);
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.floor(v[i]);
        }
        Tensor ties = Tensor.wrap(v, 2, 2, 6, 7);
        for (int[][] c : POOLS) {
            Tensor leaf = ties.clone().requiresGrad(true);
            Tensor out = F.maxPool2d(leaf, c[0], c[1], c[2]);
            Tensor g = uniform(51, -1, 1, out.shape().toArray());
            out.backward(g);
            float[] expected = torch.gradients(in -> TorchNn.maxPool(in[0], c[0], c[1], c[2]), g, ties)[0];
            // overlapping windows sum in another order: last-bit differences, a wrong tie is off by O(1)
            assertClose(expected, leaf.grad().toFloatArray(), 1e-6, 1e-6,
                    "max_pool2d gradient with ties, kernel " + c[0][0] + " stride " + c[1][0] + " padding " + c[2][0]);
        }
    }

    @Test
    void poolGradientsAsTorch() {
        Tensor x = distinct(60, 0.01, 2, 2, 7, 6);
        for (int[][] c : POOLS) {
            String what = "kernel " + c[0][0] + " stride " + c[1][0] + " padding " + c[2][0];
            Tensor leaf = x.clone().requiresGrad(true);
            Tensor out = F.maxPool2d(leaf, c[0], c[1], c[2]);
            Tensor g = uniform(61, -1, 1, out.shape().toArray());
            out.backward(g);
            assertClose(torch.gradients(in -> TorchNn.maxPool(in[0], c[0], c[1], c[2]), g, x)[0],
                    leaf.grad().toFloatArray(), 1e-6, 1e-6, "max_pool2d gradient, " + what);

            Tensor leaf2 = x.clone().requiresGrad(true);
            Tensor avg = F.avgPool2d(leaf2, c[0], c[1], c[2]);
            avg.backward(g);
            assertClose(torch.gradients(in -> TorchNn.avgPool(in[0], c[0], c[1], c[2], true), g, x)[0],
                    leaf2.grad().toFloatArray(), 1e-6, 1e-5, "avg_pool2d gradient, " + what);
        }
    }

    // ---------------------------------------------------------------- dropout

    @Test
    void dropoutMatchesTorchUnderTheSameSeed() {
        Tensor x = uniform(70, -2, 2, 7, 11);
        for (double p : new double[] {0.1, 0.5, 0.8}) {
            for (long seed : new long[] {0, 42}) {
                Generator.manualSeed(seed);
                float[] mine = new Dropout(p).forward(x).toFloatArray();
                torch.manualSeed(seed);
                float[] keep = new float[x.numel()];
                try (var ones = torch.of(Tensor.ones(x.numel()))) {
                    keep = ai.djl.pytorch.jni.JniUtils.dropout(ones, p, true).toFloatArray();
                }
                float[] xs = x.toFloatArray();
                float[] expected = new float[xs.length];
                for (int i = 0; i < xs.length; i++) {
                    // torch: input * (bernoulli_(1 - p) / (1 - p)), the scaled mask rounded to float first
                    expected[i] = xs[i] * keep[i];
                }
                assertArrayEquals(expected, mine, "dropout p=" + p + " seed " + seed);
            }
        }
    }
}
