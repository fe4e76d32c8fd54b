package dev.ember.backend.cuda;

import dev.ember.core.Layout;

/**
 * How reduce.cu runs an argmax/argmin along {@code dim}: the other dims form the "outer" space
 * (operand x), whose row-major order is also the order of the contiguous keepdim outputs. Kernel
 * shape chosen as in {@link ReducePlan}; rows are never split (an arg-reduction over millions of
 * elements is rare enough that one block per output will do).
 */
record ArgReducePlan(StridedArgs outer, int dimStride, int length, boolean blockPerOutput, LaunchConfig launch) {

    int numOut() {
        return outer.numel();
    }

    static ArgReducePlan of(Layout xl, int dim, int multiprocessors) {
        int[] sizes = xl.shape().toArray();
        int length = sizes[dim];
        if (length == 0) {
            throw new IllegalArgumentException("argmax/argmin: cannot reduce the empty dimension " + dim + " of "
                    + xl.shape());
        }
        sizes[dim] = 1;
        StridedArgs outer = StridedArgs.of(sizes, new int[][] {xl.strides()}, new int[] {xl.offset()});
        int dimStride = xl.stride(dim);
        boolean neighboursAdjacent = outer.stride(0, outer.rank() - 1) == 1;
        boolean threadPerOutput = length <= 32 || dimStride != 1 && neighboursAdjacent;
        int numOut = outer.numel();
        if (threadPerOutput) {
            int blocks = (int) Math.min(ReducePlan.ceilDiv(numOut, LaunchConfig.THREADS), 8L * multiprocessors);
            return new ArgReducePlan(outer, dimStride, length, false,
                    new LaunchConfig(Math.max(blocks, 1), 1, 1, LaunchConfig.THREADS));
        }
        int blocks = (int) Math.min(numOut, 32L * multiprocessors);
        return new ArgReducePlan(outer, dimStride, length, true,
                new LaunchConfig(Math.max(blocks, 1), 1, 1, ReducePlan.blockSize(length)));
    }
}
