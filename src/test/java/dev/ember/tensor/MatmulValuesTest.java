package dev.ember.tensor;

import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.core.Shape;
import org.junit.jupiter.api.Test;

/** matmul, mm and bmm against a naive triple loop in double, on random data, for every operand layout. */
class MatmulValuesTest {

    /** out[b, i, j] = sum_k a[b, i, k] * w[b, k, j] on [B, M, K] and [B, K, N] (already broadcast) values. */
    private static float[] naive(Tensor a3, Tensor b3) {
        int batch = a3.size(0);
        int m = a3.size(1);
        int k = a3.size(2);
        int n = b3.size(2);
        float[] a = a3.contiguous().toFloatArray();
        float[] b = b3.contiguous().toFloatArray();
        float[] out = new float[batch * m * n];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += (double) a[(p * m + i) * k + q] * b[(p * k + q) * n + j];
                    }
                    out[(p * m + i) * n + j] = (float) s;
                }
            }
        }
        return out;
    }

    private static void assertClose(float[] expected, Tensor actual) {
        float[] got = actual.toFloatArray();
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-4 * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

    /** Checks a.matmul(b) for operands with at least 2 dims, broadcasting the batch by hand. */
    private static void check(Tensor a, Tensor b) {
        Tensor out = a.matmul(b);
        int[] batchA = java.util.Arrays.copyOf(a.shape().toArray(), a.dim() - 2);
        int[] batchB = java.util.Arrays.copyOf(b.shape().toArray(), b.dim() - 2);
        Shape batch = Shape.broadcast(Shape.of(batchA), Shape.of(batchB), "test");
        int[] ea = concat(batch.toArray(), a.size(-2), a.size(-1));
        int[] eb = concat(batch.toArray(), b.size(-2), b.size(-1));
        Tensor a3 = a.expand(ea).reshape(-1, a.size(-2), a.size(-1));
        Tensor b3 = b.expand(eb).reshape(-1, b.size(-2), b.size(-1));
        assertShape(out, concat(batch.toArray(), a.size(-2), b.size(-1)));
        assertClose(naive(a3, b3), out);
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    @Test
    void matrixTimesMatrix() {
        check(randn(1, 5, 7), randn(2, 7, 3));
        check(randn(3, 1, 7), randn(4, 7, 1));
        check(randn(5, 64, 33), randn(6, 33, 17));
    }

    @Test
    void transposedAndStridedOperands() {
        Tensor a = randn(10, 7, 5);
        Tensor b = randn(11, 3, 7);
        check(a.t(), b.t());
        check(randn(12, 6, 9).narrow(1, 2, 5), randn(13, 5, 4));
        check(randn(14, 8, 4).narrow(0, 1, 5).t(), randn(15, 5, 2));
        check(randn(16, 3, 6).select(0, 2).view(2, 3), randn(17, 3, 4).narrow(1, 1, 2).t().t().narrow(1, 0, 2));
        check(randn(18, 4, 2, 3).permute(1, 0, 2), randn(19, 3, 5)); // 3-D non-contiguous batch folded into rows
        Tensor every2nd = randn(20, 6, 8).view(6, 4, 2).select(2, 0); // stride 2 along the columns: copied for BLAS
        check(every2nd, randn(21, 4, 3));
    }

    @Test
    void batched() {
        check(randn(30, 4, 3, 5), randn(31, 4, 5, 2));
        check(randn(32, 2, 1, 3, 5), randn(33, 4, 5, 2)); // [2,1] x [4] -> batch [2,4]
        check(randn(34, 1, 3, 5), randn(35, 6, 5, 2));
        check(randn(36, 4, 3, 5), randn(37, 5, 2)); // 3-D x 2-D
        check(randn(38, 3, 5), randn(39, 4, 5, 2)); // 2-D x 3-D
        check(randn(40, 4, 5, 3).transpose(1, 2), randn(41, 4, 2, 5).transpose(-1, -2));
        check(randn(42, 3, 5).expand(4, 3, 5), randn(43, 4, 5, 2)); // stride-0 batch
    }

    @Test
    void vectors() {
        Tensor v = Tensor.of(1, 2, 3);
        Tensor w = Tensor.of(4, 5, 6);
        Tensor dot = v.matmul(w);
        assertShape(dot, new int[0]);
        assertEquals(32, dot.item());
        Tensor m = Tensor.of(new float[][] {{1, 0, 2}, {0, 3, 0}});
        Tensor mv = m.matmul(v);
        assertShape(mv, 2);
        assertArrayEquals(new float[] {7, 6}, mv.toFloatArray());
        Tensor vm = Tensor.of(1, 2).matmul(m);
        assertShape(vm, 3);
        assertArrayEquals(new float[] {1, 6, 2}, vm.toFloatArray());
        Tensor batchedVec = randn(50, 4, 2, 3).matmul(v);
        assertShape(batchedVec, 4, 2);
        Tensor vecBatched = Tensor.of(1, 2).matmul(randn(51, 4, 2, 3));
        assertShape(vecBatched, 4, 3);
    }

    @Test
    void mmAndBmm() {
        Tensor a = randn(60, 4, 6);
        Tensor b = randn(61, 6, 3);
        assertClose(naive(a.unsqueeze(0), b.unsqueeze(0)), a.mm(b));
        Tensor ba = randn(62, 2, 4, 6);
        Tensor bb = randn(63, 2, 3, 6).transpose(1, 2);
        Tensor out = ba.bmm(bb);
        assertShape(out, 2, 4, 3);
        assertClose(naive(ba, bb), out);
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        Tensor out = Tensor.zeros(3, 0).matmul(Tensor.zeros(0, 2));
        assertShape(out, 3, 2);
        assertArrayEquals(new float[6], out.toFloatArray());
    }

    @Test
    void aLargerProductMatchesTheNaiveLoop() {
        check(randn(70, 3, 129, 65), randn(71, 65, 33));
    }
}
