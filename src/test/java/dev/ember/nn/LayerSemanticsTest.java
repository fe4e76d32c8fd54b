package dev.ember.nn;

import static dev.ember.nn.Approx.assertClose;
import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

/**
 * PyTorch semantics checked against values worked out by hand (so they hold without libtorch):
 * default init, pooling tie-breaking and padding, batch-norm statistics, dropout.
 */
class LayerSemanticsTest {

    @Test
    void linearInitIsTorchsAfterManualSeed() {
        // torch.manual_seed(0); nn.Linear(4, 3) prints these (4 decimals)
        Generator.manualSeed(0);
        Linear lin = new Linear(4, 3);
        assertClose(new float[] {-0.0037f, 0.2682f, -0.4115f, -0.3680f, -0.1926f, 0.1341f, -0.0099f, 0.3964f,
            -0.0444f, 0.1323f, -0.1511f, -0.0983f}, lin.weight().toFloatArray(), 5e-5, 0, "Linear(4, 3).weight");
        assertClose(new float[] {-0.4777f, -0.3311f, -0.2061f}, lin.bias().toFloatArray(), 5e-5, 0,
                "Linear(4, 3).bias");
        assertEquals(dev.ember.core.Shape.of(3, 4), lin.weight().shape());
        assertTrue(lin.weight().requiresGrad() && lin.bias().requiresGrad());
    }

    @Test
    void defaultInitBoundsAreOneOverSqrtFanIn() {
        Generator.manualSeed(5);
        Conv2d conv = Conv2d.builder(3, 8, 3).build();
        double bound = 1 / Math.sqrt(27);
        for (float w : conv.weight().toFloatArray()) {
            assertTrue(Math.abs(w) <= bound, "conv weight " + w + " outside ±1/sqrt(fan_in)");
        }
        for (float b : conv.bias().toFloatArray()) {
            assertTrue(Math.abs(b) <= bound, "conv bias " + b + " outside ±1/sqrt(fan_in)");
        }
    }

    // ---------------------------------------------------------------- pooling

    private static Tensor image(float[][] rows) {
        return Tensor.of(rows).view(1, 1, rows.length, rows[0].length);
    }

    @Test
    void maxPoolPadsWithNegativeInfinity() {
        Tensor x = image(new float[][] {{-1, -2}, {-3, -4}});
        Tensor y = new MaxPool2d(2, 1, 1).forward(x);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape().toArray());
        // zero padding would give 0 at every border window
        assertArrayEquals(new float[] {-1, -1, -2, -1, -1, -2, -3, -3, -4}, y.toFloatArray());
    }

    @Test
    void maxPoolGradientGoesToTheFirstMaximumOfEachWindow() {
        Tensor x = image(new float[][] {{1, 1, 0, 2}, {1, 1, 2, 2}}).requiresGrad(true);
        new MaxPool2d(2).forward(x).sum().backward();
        // window 1: four equal maxima, the first (row-major) takes it all; window 2: first 2 at (0, 3)
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0, 0, 0}, x.grad().toFloatArray());

        Tensor y = image(new float[][] {{5, 5, 5}, {5, 5, 5}, {5, 5, 5}}).requiresGrad(true);
        new MaxPool2d(2, 1, 0).forward(y).sum().backward();
        // overlapping windows each pick their own top-left element
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0, 0, 0, 0}, y.grad().toFloatArray());
    }

    @Test
    void maxPoolRejectsPaddingOverHalfTheKernel() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        assertThrows(ShapeException.class, () -> new MaxPool2d(2, 1, 2).forward(x));
        assertThrows(ShapeException.class, () -> new AvgPool2d(3, 1, 2).forward(x));
        assertThrows(ShapeException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
    }

    @Test
    void avgPoolCountsPaddingInTheDivisor() {
        Tensor x = image(new float[][] {{1, 1}, {1, 1}});
        Tensor y = new AvgPool2d(2, 1, 1).forward(x);
        // count_include_pad=True: every window divides by 4, however many real elements it covers
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1f, 0.5f, 0.25f, 0.5f, 0.25f}, y.toFloatArray());
        Tensor z = image(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
        assertArrayEquals(new float[] {12 / 9f, 16 / 9f, 24 / 9f, 28 / 9f}, new AvgPool2d(3, 2, 1).forward(z).toFloatArray(),
                "AvgPool2d(3, 2, 1) of 1..9");
    }

    @Test
    void adaptiveAvgPoolUsesFloorAndCeilBoundaries() {
        Tensor x = image(new float[][] {{1, 2, 3, 4, 5}});
        // 1x5 -> 1x3: columns [0, 2), [1, 4), [3, 5)
        assertClose(new double[] {1.5, 3, 4.5}, new AdaptiveAvgPool2d(1, 3).forward(x).toFloatArray(), 1e-6, 0,
                "adaptive 5 -> 3");
        // 1x5 -> 1x2: columns [0, 3), [2, 5)
        assertClose(new double[] {2, 4}, new AdaptiveAvgPool2d(1, 2).forward(x).toFloatArray(), 1e-6, 0, "adaptive 5 -> 2");
        Tensor global = uniform(3, -1, 1, 2, 3, 4, 5);
        assertClose(global.mean(new int[] {2, 3}, true).toFloatArray(), new AdaptiveAvgPool2d(1, 1).forward(global)
                .toFloatArray(), 1e-6, 1e-6, "adaptive to 1x1 is the global mean");
    }

    // ---------------------------------------------------------------- batch norm

    @Test
    void batchNormBuffersAndTheirUpdate() {
        BatchNorm1d bn = new BatchNorm1d(1);
        assertArrayEquals(new float[] {0}, bn.runningMean().toFloatArray());
        assertArrayEquals(new float[] {1}, bn.runningVar().toFloatArray());
        Tensor nbt = bn.namedBuffers().get("num_batches_tracked");
        assertEquals(DType.INT64, nbt.dtype());
        assertEquals(0, nbt.dim());
        assertEquals(0L, nbt.item());

        Tensor x = Tensor.of(new float[][] {{1}, {2}, {3}, {6}});
        Tensor y = bn.forward(x);
        // mean 3; biased variance 14/4 normalises, unbiased 14/3 goes into running_var (momentum 0.1)
        double sd = Math.sqrt(3.5 + 1e-5);
        assertClose(new double[] {-2 / sd, -1 / sd, 0, 3 / sd}, y.toFloatArray(), 1e-6, 1e-6, "normalised batch");
        assertClose(new double[] {0.3}, bn.runningMean().toFloatArray(), 1e-7, 1e-6, "running_mean");
        assertClose(new double[] {0.9 + 0.1 * 14 / 3}, bn.runningVar().toFloatArray(), 1e-7, 1e-6, "running_var");
        assertEquals(1L, bn.namedBuffers().get("num_batches_tracked").item());

        bn.forward(Tensor.of(new float[][] {{0}, {2}}));
        // mean 1, unbiased var 2
        assertClose(new double[] {0.9 * 0.3 + 0.1}, bn.runningMean().toFloatArray(), 1e-7, 1e-6, "running_mean 2");
        assertClose(new double[] {0.9 * (0.9 + 0.1 * 14 / 3) + 0.2}, bn.runningVar().toFloatArray(), 1e-7, 1e-6,
                "running_var 2");
        assertEquals(2L, bn.namedBuffers().get("num_batches_tracked").item());

        bn.eval();
        float[] rm = bn.runningMean().toFloatArray();
        float[] rv = bn.runningVar().toFloatArray();
        Tensor e = bn.forward(Tensor.of(new float[][] {{1}}));
        assertClose(new double[] {(1 - rm[0]) / Math.sqrt(rv[0] + 1e-5)}, e.toFloatArray(), 1e-6, 1e-6, "eval output");
        assertArrayEquals(rm, bn.runningMean().toFloatArray(), "eval does not touch running_mean");
        assertEquals(2L, bn.namedBuffers().get("num_batches_tracked").item(), "eval does not count batches");
    }

    @Test
    void batchNorm2dStatisticsArePerChannelOverBatchAndSpace() {
        BatchNorm2d bn = new BatchNorm2d(2);
        // channel 0 holds 0..7, channel 1 holds 10 everywhere
        float[] v = new float[16];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 4; i++) {
                v[n * 8 + i] = n * 4 + i;
                v[n * 8 + 4 + i] = 10;
            }
        }
        Tensor y = bn.forward(Tensor.wrap(v, 2, 2, 2, 2));
        assertClose(new double[] {0.35, 1.0}, bn.runningMean().toFloatArray(), 1e-6, 1e-6, "per-channel means");
        // variance of 0..7: biased 5.25, unbiased 6; a constant channel has variance 0
        assertClose(new double[] {0.9 + 0.6, 0.9}, bn.runningVar().toFloatArray(), 1e-6, 1e-6, "per-channel vars");
        float[] out = y.toFloatArray();
        assertEquals((0 - 3.5) / Math.sqrt(5.25 + 1e-5), out[0], 1e-5);
        assertEquals(0, out[4], 0, "a constant channel normalises to 0 (eps keeps it finite)");
    }

    @Test
    void batchNormChecksItsInput() {
        assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(4, 2)));
        assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(4, 3, 2, 2)));
        assertThrows(ShapeException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(4, 3)));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
    }

    @Test
    void batchNormNeedsMoreThanOneValuePerChannelWhenTraining() {
        // torch: "Expected more than 1 value per channel when training"; a single value has no variance
        BatchNorm1d bn = new BatchNorm1d(3);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.ones(1, 3)));
        assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar().toFloatArray(), "running stats untouched");
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2).forward(Tensor.ones(1, 2, 1, 1)));
        // one sample is fine when it has several positions, and in eval mode
        new BatchNorm2d(2).forward(uniform(4, -1, 1, 1, 2, 2, 2));
        new BatchNorm1d(3).forward(uniform(5, -1, 1, 1, 3, 4));
        bn.eval();
        bn.forward(Tensor.ones(1, 3));
    }

    @Test
    void batchNorm1dAcceptsSequencesNcl() {
        // torch's BatchNorm1d takes [N, C] or [N, C, L]; statistics are over N and L
        BatchNorm1d bn = new BatchNorm1d(2);
        Tensor x = Tensor.wrap(new float[] {1, 2, 10, 10, 3, 6, 10, 10}, 2, 2, 2);
        Tensor y = bn.forward(x);
        assertArrayEquals(new int[] {2, 2, 2}, y.shape().toArray());
        // channel 0 holds 1, 2, 3, 6: mean 3, unbiased variance 14/3
        assertClose(new double[] {0.3, 1.0}, bn.runningMean().toFloatArray(), 1e-6, 1e-6, "running_mean");
        assertClose(new double[] {0.9 + 0.1 * 14 / 3, 0.9}, bn.runningVar().toFloatArray(), 1e-6, 1e-6, "running_var");
        double sd = Math.sqrt(3.5 + 1e-5);
        assertEquals(-2 / sd, y.toFloatArray()[0], 1e-5);
    }

    // ---------------------------------------------------------------- dropout

    @Test
    void dropoutScalesKeptElementsAndIsIdentityInEval() {
        Tensor x = uniform(1, 1, 2, 100, 100);
        float[] xs = x.toFloatArray();
        Dropout d = new Dropout(0.25);
        Generator.manualSeed(3);
        float[] y = d.forward(x).toFloatArray();
        int kept = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0) {
                kept++;
                assertEquals(xs[i] * (float) (1 / 0.75), y[i], Math.ulp(y[i]) * 2, "kept elements scale by 1/(1-p)");
            }
        }
        assertEquals(0.75, kept / 10000.0, 0.02, "fraction kept");

        Generator.manualSeed(3);
        assertArrayEquals(y, d.forward(x).toFloatArray(), "the same seed gives the same mask");
        assertTrue(!java.util.Arrays.equals(y, d.forward(x).toFloatArray()), "the next call draws a new mask");

        d.eval();
        assertSame(x, d.forward(x), "eval: identity");
        d.train();
        assertTrue(d.isTraining());
    }

    @Test
    void dropoutZeroAndOneDrawNothing() {
        Tensor x = uniform(2, -1, 1, 5, 5);
        Generator.manualSeed(9);
        float[] before = new float[1];
        Generator.global().uniform(before, 0, 1, 0, 1);

        Generator.manualSeed(9);
        assertArrayEquals(x.toFloatArray(), new Dropout(0).forward(x).toFloatArray(), "p=0 keeps everything");
        float[] y1 = new Dropout(1).forward(x).toFloatArray();
        for (float v : y1) {
            assertEquals(0f, Math.abs(v), "p=1 zeroes everything");
        }
        float[] after = new float[1];
        Generator.global().uniform(after, 0, 1, 0, 1);
        assertArrayEquals(before, after, "p=0 and p=1 consume no random numbers (as in PyTorch)");

        Tensor leaf = uniform(3, -1, 1, 4).requiresGrad(true);
        new Dropout(1).forward(leaf).sum().backward();
        assertArrayEquals(new float[4], leaf.grad().toFloatArray(), "p=1: zero gradient");
    }

    @Test
    void dropoutRejectsBadProbabilities() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> F.dropout(Tensor.zeros(2), 2, true));
    }
}
