package dev.ember.backend.cuda;

import dev.ember.core.Layout;

/**
 * Which GEMM kernel multiplies x [B,M,K] by y [B,K,N] into the contiguous out [B,M,N], and its
 * {@code Gemm} struct (gemm.cuh). An operand the kernels can read in place has one unit-stride
 * matrix dim ("n": A K-contiguous / B N-contiguous, "t": the other); an operand with neither must be
 * copied to a contiguous matrix first ({@link #copyX}/{@link #copyY}) and the plan made again.
 *
 * <p>FP32 uses 128x128 tiles, or 64x64 ones when 128-tiles would give fewer blocks than the GPU
 * has SMs; TF32 always uses its 128x128 kernel. "_full" kernels need whole tiles and 16-byte
 * aligned rows, and skip every bounds check.
 */
record MatmulPlan(String kernel, int[] gemm, LaunchConfig launch, boolean copyX, boolean copyY) {

    static final String SGEMM_MODULE = "sgemm";
    static final String TF32_MODULE = "tf32gemm";

    /** The operand layout the kernels want: the "n"/"t" flag and the leading dim, or null if unusable. */
    private record Orientation(boolean transposed, int ld) {
    }

    /**
     * A [rows, cols] matrix with strides (rowStride, colStride) as a GEMM operand whose natural
     * contiguous dim is {@code cols} ("n") or {@code rows} ("t"). Size-1 dims may have any stride.
     */
    private static Orientation orient(int rows, int cols, int rowStride, int colStride) {
        if (cols == 1 || colStride == 1) {
            return new Orientation(false, rowStride);
        }
        if (rows == 1 || rowStride == 1) {
            return new Orientation(true, colStride);
        }
        return null;
    }

    static MatmulPlan of(Layout xl, Layout yl, Layout ol, boolean tf32, int multiprocessors) {
        int batch = xl.shape().size(0);
        int m = xl.shape().size(1);
        int k = xl.shape().size(2);
        int n = yl.shape().size(2);
        // A is [M,K]: "n" = K-contiguous. B is [K,N]: "n" = N-contiguous.
        Orientation a = orient(m, k, xl.stride(1), xl.stride(2));
        Orientation b = orient(k, n, yl.stride(1), yl.stride(2));
        if (a == null || b == null) {
            return new MatmulPlan(null, null, null, a == null, b == null);
        }
        int batchA = batch == 1 ? 0 : xl.stride(0);
        int batchB = batch == 1 ? 0 : yl.stride(0);
        int[] gemm = {m, n, k, batch, a.ld(), b.ld(), batchA, batchB, xl.offset(), yl.offset(), ol.offset()};

        int tile;
        int bk;
        String prefix;
        if (tf32) {
            tile = 128;
            bk = 16;
            prefix = "tf32gemm";
        } else {
            long bigTiles = ReducePlan.ceilDiv(m, 128) * ReducePlan.ceilDiv(n, 128) * batch;
            tile = bigTiles >= multiprocessors ? 128 : 64;
            bk = 8;
            prefix = "sgemm" + tile;
        }
        boolean aligned = a.ld() % 4 == 0 && b.ld() % 4 == 0 && batchA % 4 == 0 && batchB % 4 == 0
                && xl.offset() % 4 == 0 && yl.offset() % 4 == 0 && ol.offset() % 4 == 0;
        boolean full = tile == 128 && aligned && m % tile == 0 && n % tile == 0 && k % bk == 0;
        String kernel = prefix + (full ? "_full_" : "_") + (a.transposed() ? "t" : "n") + (b.transposed() ? "t" : "n");

        int gridX = (int) ReducePlan.ceilDiv(n, tile);
        long gridY = ReducePlan.ceilDiv(m, tile);
        if (gridY > 65535) {
            throw new UnsupportedOperationException("matmul: " + m + " rows exceed the CUDA grid (" + 65535 * tile + ")");
        }
        LaunchConfig launch = new LaunchConfig(gridX, (int) gridY, Math.min(batch, 65535), 256);
        return new MatmulPlan(kernel, gemm, launch, false, false);
    }

    String module() {
        return kernel.startsWith("tf32") ? TF32_MODULE : SGEMM_MODULE;
    }
}
