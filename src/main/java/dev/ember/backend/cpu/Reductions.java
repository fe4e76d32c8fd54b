package dev.ember.backend.cpu;

import dev.ember.backend.ReduceOp;
import dev.ember.core.Layout;
import dev.ember.core.Shape;

/** Reductions: sums accumulate in double so long reductions keep float32's precision. */
final class Reductions {
    private Reductions() {
    }

    /** Reduces the dims flagged in {@code dims}; {@code ol} is the keepdim-shaped output. */
    static void reduce(ReduceOp op, CpuStorage x, Layout xl, boolean[] dims, CpuStorage out, Layout ol) {
        int rank = xl.rank();
        int[] keptSizes = new int[rank];
        int[] redSizes = new int[rank];
        int[] redStrides = new int[rank];
        int nRed = 0;
        for (int d = 0; d < rank; d++) {
            keptSizes[d] = dims[d] ? 1 : xl.shape().size(d);
            if (dims[d]) {
                redSizes[nRed] = xl.shape().size(d);
                redStrides[nRed++] = xl.stride(d);
            }
        }
        Shape kept = Shape.of(keptSizes);
        Layout xKept = new Layout(kept, xl.strides(), xl.offset());
        int[] rs = java.util.Arrays.copyOf(redSizes, nRed);
        int[] rst = java.util.Arrays.copyOf(redStrides, nRed);
        int redCount = 1;
        for (int s : rs) {
            redCount *= s;
        }
        final int count = redCount;
        RowLoop.forEachRow(kept, (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                out.set(s[1] + i * st[1], reduceOne(op, x, s[0] + i * st[0], rs, rst, count));
            }
        }, xKept, new Layout(kept, ol.strides(), ol.offset()));
    }

    private static double reduceOne(ReduceOp op, CpuStorage x, int base, int[] sizes, int[] strides, int count) {
        double acc = switch (op) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        int[] counter = new int[sizes.length];
        int idx = base;
        for (int e = 0; e < count; e++) {
            double v = x.get(idx);
            switch (op) {
                case SUM -> acc += v;
                case MAX -> acc = Double.isNaN(v) || v > acc ? v : acc;
                case MIN -> acc = Double.isNaN(v) || v < acc ? v : acc;
            }
            if (Double.isNaN(acc) && op != ReduceOp.SUM) {
                return acc;
            }
            for (int d = sizes.length - 1; d >= 0; d--) {
                idx += strides[d];
                if (++counter[d] < sizes[d]) {
                    break;
                }
                idx -= strides[d] * sizes[d];
                counter[d] = 0;
            }
        }
        return acc;
    }

    static void argReduce(ReduceOp op, CpuStorage x, Layout xl, int dim, CpuStorage values, CpuStorage indices) {
        int[] keptSizes = xl.shape().toArray();
        int len = keptSizes[dim];
        int step = xl.stride(dim);
        keptSizes[dim] = 1;
        Shape kept = Shape.of(keptSizes);
        Layout out = Layout.contiguous(kept);
        RowLoop.forEachRow(kept, (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                int base = s[0] + i * st[0];
                int best = 0;
                double bestV = x.get(base);
                for (int j = 1; j < len && !Double.isNaN(bestV); j++) {
                    double v = x.get(base + j * step);
                    if (Double.isNaN(v) || (op == ReduceOp.MAX ? v > bestV : v < bestV)) {
                        best = j;
                        bestV = v;
                    }
                }
                values.set(s[1] + i * st[1], bestV);
                indices.set(s[1] + i * st[1], best);
            }
        }, new Layout(kept, xl.strides(), xl.offset()), out);
    }
}
