package dev.ember.backend.cuda;

import dev.ember.core.Layout;

import java.util.Arrays;

/**
 * The {@code Dims} and {@code Operands<N>} structs of ember.cuh for one iteration space walked by N
 * operands. Before packing, size-1 dims are dropped and neighbouring dims that every operand walks
 * as one (stride[d] == stride[d+1] * size[d+1]) are merged, so contiguous tensors reach the kernel
 * as rank 1 and need no index division; ranks above 8 are only a problem if they survive that.
 */
final class StridedArgs {
    static final int MAX_RANK = 8;

    private final int[] sizes;
    private final int[][] strides;  // [operand][dim]
    private final int[] offsets;
    private final int numel;

    private StridedArgs(int[] sizes, int[][] strides, int[] offsets, int numel) {
        this.sizes = sizes;
        this.strides = strides;
        this.offsets = offsets;
        this.numel = numel;
    }

    /** Operands that all have the shape of the first layout. */
    static StridedArgs of(Layout... layouts) {
        int[][] strides = new int[layouts.length][];
        int[] offsets = new int[layouts.length];
        for (int i = 0; i < layouts.length; i++) {
            if (!layouts[i].shape().equals(layouts[0].shape())) {
                throw new IllegalArgumentException("operand " + i + " has shape " + layouts[i].shape()
                        + ", expected " + layouts[0].shape());
            }
            strides[i] = layouts[i].strides();
            offsets[i] = layouts[i].offset();
        }
        return of(layouts[0].shape().toArray(), strides, offsets);
    }

    /** The general form: {@code strides[i]} and {@code offsets[i]} describe operand i over {@code sizes}. */
    static StridedArgs of(int[] sizes, int[][] strides, int[] offsets) {
        long numel = 1;
        for (int s : sizes) {
            numel *= s;
        }
        int n = strides.length;
        int[] keptSizes = new int[sizes.length];
        int[][] kept = new int[n][sizes.length];
        int rank = 0;
        for (int d = 0; d < sizes.length; d++) {
            if (sizes[d] == 1) {
                continue;
            }
            if (rank > 0 && mergesWithPrevious(kept, rank - 1, strides, d, sizes[d])) {
                keptSizes[rank - 1] *= sizes[d];
                for (int i = 0; i < n; i++) {
                    kept[i][rank - 1] = strides[i][d];
                }
                continue;
            }
            keptSizes[rank] = sizes[d];
            for (int i = 0; i < n; i++) {
                kept[i][rank] = strides[i][d];
            }
            rank++;
        }
        if (rank > MAX_RANK) {
            throw new UnsupportedOperationException("the CUDA backend handles at most " + MAX_RANK
                    + " non-mergeable dims, got sizes " + Arrays.toString(sizes));
        }
        if (rank == 0) {  // a scalar, or only size-1 dims: one element at the offsets
            return new StridedArgs(new int[] {1}, new int[n][1], offsets.clone(), (int) numel);
        }
        int[][] packed = new int[n][];
        for (int i = 0; i < n; i++) {
            packed[i] = Arrays.copyOf(kept[i], rank);
        }
        return new StridedArgs(Arrays.copyOf(keptSizes, rank), packed, offsets.clone(), (int) numel);
    }

    private static boolean mergesWithPrevious(int[][] kept, int prev, int[][] strides, int d, int size) {
        for (int i = 0; i < strides.length; i++) {
            if ((long) kept[i][prev] != (long) strides[i][d] * size) {
                return false;
            }
        }
        return true;
    }

    int numel() {
        return numel;
    }

    int rank() {
        return sizes.length;
    }

    int size(int d) {
        return sizes[d];
    }

    int operandCount() {
        return strides.length;
    }

    int offset(int operand) {
        return offsets[operand];
    }

    int stride(int operand, int d) {
        return strides[operand][d];
    }

    /** {@code struct Dims { int rank; int size[8]; }} */
    int[] dims() {
        int[] out = new int[1 + MAX_RANK];
        out[0] = sizes.length;
        System.arraycopy(sizes, 0, out, 1, sizes.length);
        return out;
    }

    /** {@code struct Operands<N> { struct { int offset; int stride[8]; } op[N]; }} */
    int[] operands() {
        int per = 1 + MAX_RANK;
        int[] out = new int[strides.length * per];
        for (int i = 0; i < strides.length; i++) {
            out[i * per] = offsets[i];
            System.arraycopy(strides[i], 0, out, i * per + 1, strides[i].length);
        }
        return out;
    }
}
