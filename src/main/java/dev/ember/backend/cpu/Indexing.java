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

    /** Visits every element of {@code il}'s shape with the flat storage index of the {@code dim}-less base in {@code target}. */
    private interface Visit {
        void at(int targetBase, int indexPos, int otherPos);
    }

    private static void walk(Layout target, Layout il, Layout other, int dim, Visit v) {
        // target strides with dim zeroed: the index value supplies that coordinate
        int[] st = target.strides();
        st[dim] = 0;
        Layout targetNoDim = new Layout(il.shape(), st, target.offset());
        RowLoop.forEachRow(il.shape(), (s, step, n) -> {
            for (int i = 0; i < n; i++) {
                v.at(s[0] + i * step[0], s[1] + i * step[1], s[2] + i * step[2]);
            }
        }, targetNoDim, il, other);
    }

    static void gather(CpuStorage x, Layout xl, int dim, CpuStorage index, Layout il, CpuStorage out, Layout ol) {
        long[] idx = index.longs();
        int size = xl.shape().size(dim);
        int stride = xl.stride(dim);
        walk(xl, il, ol, dim, (base, ip, op) ->
                out.set(op, x.get(base + checkedIndex("gather", idx[ip], size, dim) * stride)));
    }

    static void scatterAdd(CpuStorage dst, Layout dl, int dim, CpuStorage index, Layout il, CpuStorage src, Layout sl) {
        long[] idx = index.longs();
        int size = dl.shape().size(dim);
        int stride = dl.stride(dim);
        walk(dl, il, sl, dim, (base, ip, sp) -> {
            int at = base + checkedIndex("scatter_add", idx[ip], size, dim) * stride;
            dst.set(at, dst.get(at) + src.get(sp));
        });
    }
}
