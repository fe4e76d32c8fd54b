package dev.ember.backend.cpu;

import dev.ember.core.Layout;

/** gather / scatterAdd along one dim, with PyTorch's bounds errors. */
final class Indexing {
    private Indexing() {
    }

    /** PyTorch's gather and scatter take no negative indices: -1 is out of bounds, not the last element. */
    private static int checkedIndex(String op, long i, int size, int dim) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + i + " is out of bounds for dimension " + dim
                    + " with size " + size);
        }
        return (int) i;
    }

    /**
     * {@code target}'s layout over the index's shape with {@code dim}'s stride zeroed: the index
     * value supplies that coordinate.
     */
    private static Layout withoutDim(Layout target, Layout il, int dim) {
        int[] st = target.strides();
        st[dim] = 0;
        return new Layout(il.shape(), st, target.offset());
    }

    static void gather(CpuStorage x, Layout xl, int dim, CpuStorage index, Layout il, CpuStorage out, Layout ol) {
        long[] idx = index.longs();
        int size = xl.shape().size(dim);
        int stride = xl.stride(dim);
        boolean floats = x.isFloat() && out.isFloat();
        RowLoop.forEachRow(il.shape(), (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                int at = s[0] + i * st[0] + checkedIndex("gather", idx[s[1] + i * st[1]], size, dim) * stride;
                int o = s[2] + i * st[2];
                if (floats) {
                    out.floats()[o] = x.floats()[at];
                } else {
                    out.set(o, x.get(at));
                }
            }
        }, withoutDim(xl, il, dim), il, ol);
    }

    static void scatterAdd(CpuStorage dst, Layout dl, int dim, CpuStorage index, Layout il, CpuStorage src, Layout sl) {
        long[] idx = index.longs();
        int size = dl.shape().size(dim);
        int stride = dl.stride(dim);
        boolean floats = dst.isFloat() && src.isFloat();
        RowLoop.forEachRow(il.shape(), (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                int at = s[0] + i * st[0] + checkedIndex("scatter_add", idx[s[1] + i * st[1]], size, dim) * stride;
                int from = s[2] + i * st[2];
                if (floats) {
                    dst.floats()[at] += src.floats()[from];
                } else {
                    dst.set(at, dst.get(at) + src.get(from));
                }
            }
        }, withoutDim(dl, il, dim), il, sl);
    }
}
