package dev.ember.tensor;

import static dev.ember.TestTensors.assertLongs;
import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import org.junit.jupiter.api.Test;

/** Reductions with dim/keepdim, max/min with indices, var/std, and the stable softmax family. */
class ReductionValuesTest {

    private static final float EPS = 1e-6f;

    private static Tensor x234() {
        return Tensor.arange(0.0, 24.0, 1.0).view(2, 3, 4);
    }

    @Test
    void sumAndMeanOverDims() {
        Tensor x = x234();
        assertEquals(276, x.sum().item());
        assertShape(x.sum(), new int[0]);
        Tensor s1 = x.sum(1, false);
        assertShape(s1, 2, 4);
        assertValues(s1, 12, 15, 18, 21, 48, 51, 54, 57);
        assertShape(x.sum(1, true), 2, 1, 4);
        assertValues(x.sum(-1, false), 6, 22, 38, 54, 70, 86);
        Tensor s02 = x.sum(new int[] {0, 2}, false);
        assertShape(s02, 3);
        assertValues(s02, 60, 92, 124);
        assertShape(x.sum(new int[] {0, 2}, true), 1, 3, 1);
        assertEquals(11.5, x.mean().item());
        assertValues(x.mean(0, false), 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        assertShape(x.mean(new int[] {-1, -2}, true), 2, 1, 1);
        assertValues(x.mean(new int[] {-1, -2}, true), 5.5f, 17.5f);
        assertValues(x.transpose(0, 2).sum(0, false), 6, 54, 22, 70, 38, 86); // reductions read strided views
    }

    @Test
    void sumDtypes() {
        Tensor bools = Tensor.of(1, 0, 1, 1).ne(0);
        assertEquals(DType.INT64, bools.sum().dtype());
        assertLongs(bools.sum(), 3);
        assertEquals(DType.INT64, Tensor.arange(5).sum().dtype());
        assertLongs(Tensor.arange(5).sum(), 10);
        assertEquals(DType.FLOAT32, Tensor.of(1, 2).sum().dtype());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(5).mean());
        assertTrue(e.getMessage().contains("Input dtype must be floating point"), e.getMessage());
    }

    @Test
    void reductionDimErrors() {
        Tensor x = x234();
        ShapeException e = assertThrows(ShapeException.class, () -> x.sum(3, false));
        assertTrue(e.getMessage().contains("dimension out of range (expected to be in range of [-3, 2], but got 3)"),
                e.getMessage());
        assertThrows(ShapeException.class, () -> x.sum(new int[] {1, -2}, false));
    }

    @Test
    void longSumsKeepPrecision() {
        // 10^6 ones and then 0.1s: a naive float accumulator drifts; PyTorch's pairwise sum does not
        Tensor ones = Tensor.ones(1_000_000);
        assertEquals(1_000_000, ones.sum().item());
        assertEquals(100_000, Tensor.full(0.1, 1_000_000).sum().item(), 0.5);
    }

    @Test
    void maxAndMinWithIndices() {
        Tensor x = Tensor.of(new float[][] {{2, 7, 7}, {4, 4, 1}, {-1, -3, -1}});
        Tensor.ValuesIndices max = x.max(1, false);
        assertValues(max.values(), 7, 4, -1);
        assertLongs(max.indices(), 1, 0, 0); // the first index on ties
        assertEquals(DType.INT64, max.indices().dtype());
        Tensor.ValuesIndices min = x.min(0, true);
        assertShape(min.values(), 1, 3);
        assertValues(min.values(), -1, -3, -1);
        assertLongs(min.indices(), 2, 2, 2);
        assertEquals(7, x.max().item());
        assertEquals(-3, x.min().item());
        assertLongs(x.argmax(), 1); // flat index of the first maximum
        assertLongs(x.argmax(0, false), 1, 0, 0);
        assertLongs(x.argmin(1, true), 0, 2, 1);
        assertShape(x.argmin(1, true), 3, 1);
        assertLongs(Tensor.of(1, 5, 5, 2).argmax(), 1);
        assertLongs(Tensor.arange(6).view(2, 3).max(1, false).values(), 2, 5);
    }

    @Test
    void maxPropagatesNaN() {
        Tensor x = Tensor.of(1, Float.NaN, 3);
        assertTrue(Double.isNaN(x.max().item()));
        Tensor.ValuesIndices m = x.max(0, false);
        assertTrue(Double.isNaN(m.values().item()));
        assertLongs(m.indices(), 1);
    }

    @Test
    void maxOfAnEmptyDimFails() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).max(0, false));
    }

    @Test
    void varAndStd() {
        Tensor x = Tensor.of(1, 2, 3, 4);
        // torch.tensor([1., 2., 3., 4.]).var() = 1.6667, var(unbiased=False) = 1.25
        assertEquals(5.0 / 3, x.var().item(), EPS);
        assertEquals(1.25, x.var(0, false, false).item(), EPS);
        assertEquals(Math.sqrt(5.0 / 3), x.std().item(), EPS);
        assertEquals(Math.sqrt(1.25), x.std(0, false, false).item(), EPS);
        Tensor m = Tensor.of(new float[][] {{1, 3}, {2, 6}, {3, 9}});
        assertValues(m.var(0, true, false), new float[] {1, 9}, EPS);
        assertShape(m.var(0, true, true), 1, 2);
        assertValues(m.var(1, false, false), new float[] {1, 4, 9}, EPS);
        assertValues(m.std(1, true, true), new float[] {(float) Math.sqrt(2), (float) Math.sqrt(8), (float) Math.sqrt(18)},
                EPS);
        assertEquals(8.8, m.var(new int[] {0, 1}, true, false).item(), 1e-5);
        assertTrue(Double.isNaN(Tensor.of(5).var().item()), "unbiased variance of one element is nan, as in PyTorch");
    }

    @Test
    void softmaxFamily() {
        Tensor x = Tensor.of(1, 2, 3);
        // torch.softmax(torch.tensor([1., 2., 3.]), 0)
        assertValues(x.softmax(0), new float[] {0.09003057f, 0.24472847f, 0.66524096f}, EPS);
        assertValues(x.logSoftmax(0), new float[] {-2.40760596f, -1.40760596f, -0.40760596f}, EPS);
        assertEquals(3.40760596, x.logsumexp(0, false).item(), EPS);
        Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {1, 1, 1}});
        assertValues(m.softmax(1), new float[] {0.09003057f, 0.24472847f, 0.66524096f, 1 / 3f, 1 / 3f, 1 / 3f}, EPS);
        assertValues(m.softmax(0), new float[] {0.5f, 0.7310586f, 0.8807971f, 0.5f, 0.26894143f, 0.11920292f}, EPS);
        assertShape(m.logsumexp(1, true), 2, 1);
        assertValues(m.logsumexp(1, false), new float[] {3.40760596f, (float) (1 + Math.log(3))}, EPS);
    }

    @Test
    void softmaxIsStableOnLargeInputs() {
        Tensor x = Tensor.of(1000, -1000);
        assertValues(x.softmax(0), 1, 0);
        assertValues(x.logSoftmax(0), 0, -2000);
        assertEquals(1000, x.logsumexp(0, false).item());
        Tensor big = Tensor.of(1000, 1000, 1000);
        assertValues(big.softmax(0), new float[] {1 / 3f, 1 / 3f, 1 / 3f}, EPS);
        // PyTorch computes (x - max) - log(sum(exp(x - max))): exact here, with no rounding at magnitude 1000
        assertValues(big.logSoftmax(0), new float[] {(float) -Math.log(3), (float) -Math.log(3), (float) -Math.log(3)},
                1e-7f);
        assertValues(Tensor.of(10000, 10001).logSoftmax(0), new float[] {-1.31326169f, -0.31326169f}, 1e-6f);
        assertValues(Tensor.of(-1000, -1001).logSoftmax(0), new float[] {-0.31326169f, -1.31326169f}, 1e-5f);
    }

    @Test
    void logsumexpOfInfinities() {
        // torch.logsumexp: -inf for an all -inf row (an empty sum), +inf when any element is +inf
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY)
                .logsumexp(0, false).item());
        assertEquals(Double.POSITIVE_INFINITY, Tensor.of(Float.POSITIVE_INFINITY, 1).logsumexp(0, false).item());
        assertValues(Tensor.of(Float.NEGATIVE_INFINITY, 0).logsumexp(0, true), 0);
    }

    @Test
    void softmaxRejectsIntegers() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).softmax(0));
    }
}
