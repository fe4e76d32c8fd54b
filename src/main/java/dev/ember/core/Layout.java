package dev.ember.core;

import java.util.Arrays;

/**
 * How a tensor's elements sit in its storage: shape, strides (in elements) and offset.
 * Immutable; every view op returns a new layout over the same storage. Element (i0, i1, ...)
 * lives at {@code offset + i0*strides[0] + i1*strides[1] + ...}; a stride of 0 repeats an element
 * (how {@code expand} and broadcasting share memory).
 */
public final class Layout {
    private final Shape shape;
    private final int[] strides;
    private final int offset;

    public Layout(Shape shape, int[] strides, int offset) {
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException("strides " + Arrays.toString(strides) + " do not match shape " + shape);
        }
        this.shape = shape;
        this.strides = strides.clone();
        this.offset = offset;
    }

    public static Layout contiguous(Shape shape) {
        return new Layout(shape, shape.contiguousStrides(), 0);
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    public int stride(int d) {
        return strides[d];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    /** Row-major without gaps, repeats or reordering (size-1 dims may have any stride, as in PyTorch). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int size = shape.size(d);
            if (size != 1) {
                if (strides[d] != expected) {
                    return false;
                }
                expected *= size;
            }
        }
        return true;
    }

    /** Storage index of the element at a flat row-major position. */
    public int indexOf(int flat) {
        int idx = offset;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int size = shape.size(d);
            idx += (flat % size) * strides[d];
            flat /= size;
        }
        return idx;
    }

    /**
     * Strides for viewing this layout as {@code newShape} without copying, or null when the
     * memory layout does not allow it (PyTorch's computeStride rule, so the same views succeed).
     */
    public Layout view(Shape newShape) {
        if (newShape.numel() != shape.numel()) {
            return null;
        }
        int[] newStrides = new int[newShape.rank()];
        if (shape.rank() == 0 || shape.numel() == 0) {
            return new Layout(newShape, newShape.contiguousStrides(), offset);
        }
        int viewD = newShape.rank() - 1;
        int chunkBaseStride = strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            tensorNumel *= shape.size(d);
            boolean chunkEnds = d == 0
                    || (shape.size(d - 1) != 1 && strides[d - 1] != tensorNumel * chunkBaseStride);
            if (chunkEnds) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape.size(viewD) == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape.size(viewD);
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBaseStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? new Layout(newShape, newStrides, offset) : null;
    }

    public Layout permute(int... order) {
        int n = shape.rank();
        int[] dims = new int[n];
        int[] st = new int[n];
        for (int i = 0; i < n; i++) {
            dims[i] = shape.size(order[i]);
            st[i] = strides[order[i]];
        }
        return new Layout(Shape.of(dims), st, offset);
    }

    /**
     * Broadcasts to {@code target} (right-aligned) by giving stretched dims stride 0. A new leading
     * dim of size 1 gets the stride a contiguous tensor would have there, as PyTorch's
     * inferExpandGeometry gives it.
     */
    public Layout expand(Shape target) {
        int n = target.rank();
        int lead = n - shape.rank();
        int[] st = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            int src = i - lead;
            int size = src < 0 ? 1 : shape.size(src);
            int stride = src >= 0 ? strides[src] : i == n - 1 ? 1 : target.size(i + 1) * st[i + 1];
            st[i] = size != target.size(i) ? 0 : stride;
        }
        return new Layout(target, st, offset);
    }

    /** Elements [start, start+length) of dim {@code d}. */
    public Layout narrow(int d, int start, int length) {
        int[] dims = shape.toArray();
        dims[d] = length;
        return new Layout(Shape.of(dims), strides, offset + start * strides[d]);
    }

    /** Drops dim {@code d} by fixing its index. */
    public Layout select(int d, int index) {
        return new Layout(Shape.of(removeAt(shape.toArray(), d)), removeAt(strides, d), offset + index * strides[d]);
    }

    /** Inserts a size-1 dim at {@code d}. */
    public Layout unsqueeze(int d) {
        int n = shape.rank();
        int[] dims = new int[n + 1];
        int[] st = new int[n + 1];
        for (int i = 0, j = 0; i <= n; i++) {
            if (i == d) {
                dims[i] = 1;
                st[i] = d < n ? strides[d] * shape.size(d) : 1;
            } else {
                dims[i] = shape.size(j);
                st[i] = strides[j++];
            }
        }
        return new Layout(Shape.of(dims), st, offset);
    }

    /** Removes dim {@code d} (which must have size 1). */
    public Layout squeeze(int d) {
        return new Layout(Shape.of(removeAt(shape.toArray(), d)), removeAt(strides, d), offset);
    }

    private static int[] removeAt(int[] values, int d) {
        int[] out = new int[values.length - 1];
        for (int i = 0, j = 0; i < values.length; i++) {
            if (i != d) {
                out[j++] = values[i];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && l.offset == offset && l.shape.equals(shape) && Arrays.equals(l.strides, strides);
    }

    @Override
    public int hashCode() {
        return shape.hashCode() * 31 + Arrays.hashCode(strides) + offset;
    }

    @Override
    public String toString() {
        return "Layout(shape=" + shape + ", strides=" + Arrays.toString(strides) + ", offset=" + offset + ")";
    }
}
