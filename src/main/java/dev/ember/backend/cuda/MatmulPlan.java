package dev.ember.backend.cuda;

import dev.ember.core.Layout;

/**
 * Which GEMM kernel multiplies x [B,M,K] by y [B,K,N] into the contiguous out [B,M,N], and its
 * {@code Gemm} struct (gemm.cuh). An operand the kernels can read in place has one unit-stride
 * matrix dim ("n": A K-contiguous / B N-contiguous, "t": the other); an operand with neither must be
 * copied to a contiguous matrix first ({@link #copyX}/{@link #copyY}) and the plan made again.
 *
 * <p>FP32 uses 128x128 tiles, or 64x64 ones when 128-tiles would give fewer blocks than the GPU
 * has SMs or M or N is under 128 (a 6-channel convolution's rows would fill 6 of 128); TF32 always
 * uses its 128x128 kernel. A single product with too few tiles for the GPU and a long K is cut into
 * {@link #splitK} parts. "_full" kernels need whole tiles and 16-byte
 * aligned rows, and skip every bounds check.
 */
record MatmulPlan(String kernel, int[] gemm, LaunchConfig launch, boolean copyX, boolean copyY) {

    static final String SGEMM_MODULE = "sgemm";
    static final String TF32_MODULE = "tf32gemm";
    /** The least K per part of a split product: each part's block still runs 128 k-steps of 8. */
    static final int MIN_SPLIT_K = 1024;

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
            tile = bigTiles >= multiprocessors && Math.min(m, n) >= 128 ? 128 : 64;
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
        LaunchConfig launch = new LaunchConfig(gridX, (int) gridY, Math.min(batch, 65535),
                threads(tf32, tile, a.transposed(), b.transposed()));
        return new MatmulPlan(kernel, gemm, launch, false, false);
    }

    /**
     * Threads per block, as sgemm.cu's kernels are built: 128-tiles own 16x8 outputs per thread
     * (128 threads) except for the nt layout, where 8x8 (256 threads) measured faster; the rest 256.
     */
    private static int threads(boolean tf32, int tile, boolean aTransposed, boolean bTransposed) {
        boolean nt = !aTransposed && bTransposed;
        return !tf32 && tile == 128 && !nt ? 128 : 256;
    }

    /**
     * How many parts to cut K into for a single [M,K] @ [K,N] whose 64x64 tiles leave most SMs idle,
     * such as a convolution's weight gradient ([O, N*L] @ [N*L, C*kH*kW]: one or two tiles and a K of
     * 10^5, which one SM would otherwise walk alone). The parts run as the batch of one strided GEMM
     * and their products are summed in a fixed order, so results do not depend on timing. 1: no split.
     */
    static int splitK(int m, int n, int k, int batch, int multiprocessors) {
        if (batch != 1) {
            return 1;
        }
        long tiles = ReducePlan.ceilDiv(m, 64) * ReducePlan.ceilDiv(n, 64);
        if (tiles >= multiprocessors) {
            return 1;
        }
        return (int) Math.max(1, Math.min(ReducePlan.ceilDiv(2L * multiprocessors, tiles), k / MIN_SPLIT_K));
    }

    String module() {
        return kernel.startsWith("tf32") ? TF32_MODULE : SGEMM_MODULE;
    }
}
