package dev.ember.backend.cpu;

import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ludovic.netlib.blas.BLAS;

/**
 * Matrix products through netlib's BLAS interface: native OpenBLAS when the system has it (Debian's
 * libopenblas0-pthread), otherwise its Java implementation with a one-line notice. Row-major
 * operands are handed to column-major sgemm by computing C^T = B^T A^T, which needs no copies;
 * operands whose strides BLAS cannot express (e.g. broadcast rows) are copied first.
 */
final class Gemm {
    private static final BLAS BLAS_IMPL = load();

    private static BLAS load() {
        OpenBlasCore.chooseBeforeLoading();
        return BLAS.getInstance();
    }

    static {
        if (!isNative()) {
            System.err.println("ember: native BLAS not found, using " + BLAS_IMPL.getClass().getSimpleName()
                    + " (slower; install libopenblas0-pthread for full speed)");
        }
    }

    private Gemm() {
    }

    /** Whether netlib bound a native BLAS (JNIBLAS) rather than its Java fallback. */
    static boolean isNative() {
        return BLAS_IMPL.getClass().getSimpleName().equals("JNIBLAS");
    }

    /** The implementation in use, for benchmarks and diagnostics: e.g. "JNIBLAS (OpenBLAS SkylakeX)". */
    static String implementation() {
        String name = BLAS_IMPL.getClass().getSimpleName();
        String core = isNative() ? OpenBlasCore.loaded(nativeLibrary()) : null;
        return core == null ? name : name + " (OpenBLAS " + core.trim() + ")";
    }

    /** The shared library netlib's JNIBLAS loads (its default, or the property it reads). */
    static String nativeLibrary() {
        return System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3");
    }

    /** x [B,M,K] @ y [B,K,N] -> out [B,M,N] (contiguous). */
    static void matmul(CpuStorage x, Layout xl, CpuStorage y, Layout yl, CpuStorage out, Layout ol) {
        int batch = xl.shape().size(0);
        int m = xl.shape().size(1);
        int k = xl.shape().size(2);
        int n = yl.shape().size(2);
        float[] os = out.floats();
        if (k == 0) {
            Elementwise.fill(out, ol, 0);
            return;
        }
        Operand a = Operand.of(x, xl);
        Operand b = Operand.of(y, yl);
        BlasThreads.forProduct((long) m * n * k);
        for (int i = 0; i < batch; i++) {
            int offA = a.offset + i * a.batchStride;
            int offB = b.offset + i * b.batchStride;
            int offC = ol.offset() + i * m * n;
            BLAS_IMPL.sgemm(b.trans, a.trans, n, m, k, 1f, b.data, offB, b.ld, a.data, offA, a.ld, 0f, os, offC, n);
        }
    }

    /**
     * One row-major product {@code c = op(a) op(b) + beta c}: op(a) is [m, k], op(b) is [k, n], c is [m, n]
     * with leading dimension ldc; each operand transposed or not as stored, with its leading dimension.
     */
    static void rowMajor(boolean transA, boolean transB, int m, int n, int k, float[] a, int offA, int lda,
                         float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        BlasThreads.forProduct((long) m * n * k);
        BLAS_IMPL.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1f, b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }

    /** A [B,R,C] operand as BLAS sees it: its array, transposition flag and leading dimension. */
    private record Operand(float[] data, int offset, int batchStride, String trans, int ld) {

        static Operand of(CpuStorage s, Layout l) {
            int rows = l.shape().size(1);
            int cols = l.shape().size(2);
            int s0 = l.stride(1);
            int s1 = l.stride(2);
            if ((s1 == 1 || cols == 1) && (rows == 1 || s0 >= Math.max(cols, 1))) {
                int ld = rows == 1 ? Math.max(cols, 1) : s0;
                if (fits(s, l, ld, rows)) {
                    return new Operand(s.floats(), l.offset(), l.stride(0), "N", ld);
                }
            }
            if ((s0 == 1 || rows == 1) && (cols == 1 || s1 >= Math.max(rows, 1))) {
                int ld = cols == 1 ? Math.max(rows, 1) : s1;
                if (fits(s, l, ld, cols)) {
                    return new Operand(s.floats(), l.offset(), l.stride(0), "T", ld);
                }
            }
            Shape shape = l.shape();
            CpuStorage copy = CpuStorage.allocate(s.dtype(), shape.numel());
            Elementwise.copy(s, l, copy, Layout.contiguous(shape));
            return new Operand(copy.floats(), 0, rows * cols, "N", Math.max(cols, 1));
        }

        /**
         * netlib checks that every matrix spans {@code ld * columns} elements from its offset, padding
         * of the last column included, even though BLAS never reads it; a view that ends before that
         * padding (a narrowed or permuted operand) is copied instead.
         */
        private static boolean fits(CpuStorage s, Layout l, int ld, int blasColumns) {
            long lastOffset = l.offset() + (long) (l.shape().size(0) - 1) * l.stride(0);
            return lastOffset + (long) ld * blasColumns <= s.floats().length;
        }
    }
}
