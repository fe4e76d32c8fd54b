package dev.ember.backend.cuda;

import dev.ember.core.Layout;

/**
 * How reduce.cu runs one reduction: the kept ("outer", operands x and out) and reduced ("inner",
 * operand x) iteration spaces, the kernel shape and how far the reduced range is split.
 *
 * <p>Thread-per-output suits short rows, and reductions over a non-innermost dim, where neighbouring
 * outputs read neighbouring addresses. Otherwise a block works on each output. When there are too
 * few outputs to fill the GPU, the reduced range is split over gridDim.y and reduce_finish
 * combines the partials (deterministically, in split order).
 */
record ReducePlan(StridedArgs outer, StridedArgs inner, boolean blockPerOutput, int splits, int chunk,
                  LaunchConfig launch) {

    private static final int MAX_BLOCK = 256;

    int numOut() {
        return outer.numel();
    }

    int length() {
        return inner.numel();
    }

    /** Whether reduce_rows applies: a block per output over rows contiguous in memory (chunk a multiple of 4). */
    boolean rows() {
        return blockPerOutput && inner.rank() == 1 && inner.stride(0, 0) == 1 && (splits == 1 || chunk % 4 == 0);
    }

    /** Whether each dim of {@code xl} is reduced: flagged in {@code dims}, or size 1 in ol but not in xl. */
    static boolean[] reducedDims(Layout xl, boolean[] dims, Layout ol) {
        if (ol.rank() != xl.rank()) {
            throw new IllegalArgumentException("reduce: output " + ol.shape() + " must keep the rank of input "
                    + xl.shape());
        }
        boolean[] reduced = new boolean[xl.rank()];
        for (int d = 0; d < reduced.length; d++) {
            boolean flagged = dims != null && d < dims.length && dims[d];
            reduced[d] = flagged || ol.shape().size(d) == 1 && xl.shape().size(d) != 1;
        }
        return reduced;
    }

    /** Plans a reduction with at least one input and one output element. */
    static ReducePlan of(Layout xl, boolean[] reduced, Layout ol, int multiprocessors) {
        int rank = xl.rank();
        int[] outerSizes = new int[rank];
        int[] innerSizes = new int[rank];
        for (int d = 0; d < rank; d++) {
            outerSizes[d] = reduced[d] ? 1 : xl.shape().size(d);
            innerSizes[d] = reduced[d] ? xl.shape().size(d) : 1;
        }
        StridedArgs outer = StridedArgs.of(outerSizes, new int[][] {xl.strides(), ol.strides()},
                new int[] {xl.offset(), ol.offset()});
        StridedArgs inner = StridedArgs.of(innerSizes, new int[][] {xl.strides()}, new int[] {0});
        int numOut = outer.numel();
        int length = inner.numel();

        boolean rowsContiguous = length == 1 || inner.rank() == 1 && inner.stride(0, 0) == 1;
        boolean neighboursAdjacent = outer.stride(0, outer.rank() - 1) == 1;
        boolean threadPerOutput = length <= 32 || !rowsContiguous && neighboursAdjacent;

        if (threadPerOutput) {
            long wantThreads = 2048L * multiprocessors;
            int splits = numOut >= wantThreads ? 1 : (int) Math.min(ceilDiv(wantThreads, numOut), ceilDiv(length, 64));
            int[] split = split(length, splits);
            int blocks = (int) Math.min(ceilDiv(numOut, LaunchConfig.THREADS), 8L * multiprocessors);
            return new ReducePlan(outer, inner, false, split[0], split[1],
                    new LaunchConfig(blocks, split[0], 1, LaunchConfig.THREADS));
        }
        int block = blockSize(length);
        long wantBlocks = 8L * multiprocessors;
        int splits = numOut >= wantBlocks ? 1 : (int) Math.min(ceilDiv(wantBlocks, numOut), ceilDiv(length, block * 16L));
        int[] split = rowsContiguous ? splitBy4(length, splits) : split(length, splits);
        int blocks = (int) Math.min(numOut, 32L * multiprocessors);
        return new ReducePlan(outer, inner, true, split[0], split[1], new LaunchConfig(blocks, split[0], 1, block));
    }

    /** {splits, chunk} with no empty split and at most 65535 splits (the grid's y limit). */
    private static int[] split(int length, int wanted) {
        int splits = Math.max(1, Math.min(wanted, 65535));
        int chunk = (int) ceilDiv(length, splits);
        return new int[] {(int) ceilDiv(length, chunk), chunk};
    }

    /** As {@link #split}, with a chunk that is a multiple of 4, so float4 reads of a split stay aligned. */
    private static int[] splitBy4(int length, int wanted) {
        int splits = Math.max(1, Math.min(wanted, 65535));
        int chunk = (int) (ceilDiv(ceilDiv(length, splits), 4) * 4);
        return new int[] {(int) ceilDiv(length, chunk), chunk};
    }

    /** A power of two between 32 and 256 that covers the row when it is short. */
    static int blockSize(int length) {
        int b = 32;
        while (b < MAX_BLOCK && b < length) {
            b <<= 1;
        }
        return b;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
