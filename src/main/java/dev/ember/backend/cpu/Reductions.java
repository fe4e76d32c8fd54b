package dev.ember.backend.cpu;

import dev.ember.backend.ReduceOp;
import dev.ember.core.Layout;
import dev.ember.core.Shape;

/** Reductions: sums accumulate in double so long reductions keep float32's precision. */
final class Reductions {
    private Reductions() {
    }

    /**
     * Reduces the dims flagged in {@code dims}; {@code ol} is the keepdim-shaped output. The input is
     * walked in its own memory order, accumulating (in double) into a dense buffer over the kept dims
     * whose layout repeats (stride 0) along the reduced ones; the buffer is then written out.
     */
    static void reduce(ReduceOp op, CpuStorage x, Layout xl, boolean[] dims, CpuStorage out, Layout ol) {
        int[] keptSizes = xl.shape().toArray();
        for (int d = 0; d < keptSizes.length; d++) {
            if (dims[d]) {
                keptSizes[d] = 1;
            }
        }
        Shape kept = Shape.of(keptSizes);
        double[] acc = new double[kept.numel()];
        java.util.Arrays.fill(acc, switch (op) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        });
        Layout accLayout = Layout.contiguous(kept).expand(xl.shape());
        RowLoop.forEachRow(xl.shape(), (s, st, n) -> {
            int xi = s[0];
            int ai = s[1];
            int xd = st[0];
            int ad = st[1];
            if (x.isFloat()) {
                float[] xs = x.floats();
                switch (op) {
                    case SUM -> {
                        if (ad == 0 && xd == 1) {
                            acc[ai] += sumRun(xs, xi, n);
                        } else if (ad == 0) {
                            // the whole row adds into one entry: four running sums break the add latency chain
                            double s0 = 0;
                            double s1 = 0;
                            double s2 = 0;
                            double s3 = 0;
                            int i = 0;
                            for (; i + 3 < n; i += 4, xi += 4 * xd) {
                                s0 += xs[xi];
                                s1 += xs[xi + xd];
                                s2 += xs[xi + 2 * xd];
                                s3 += xs[xi + 3 * xd];
                            }
                            for (; i < n; i++, xi += xd) {
                                s0 += xs[xi];
                            }
                            acc[ai] += (s0 + s1) + (s2 + s3);
                        } else {
                            for (int i = 0; i < n; i++, xi += xd, ai += ad) {
                                acc[ai] += xs[xi];
                            }
                        }
                    }
                    case MAX -> {
                        for (int i = 0; i < n; i++, xi += xd, ai += ad) {
                            float v = xs[xi];
                            if (v > acc[ai] || v != v) {
                                acc[ai] = v;
                            }
                        }
                    }
                    case MIN -> {
                        for (int i = 0; i < n; i++, xi += xd, ai += ad) {
                            float v = xs[xi];
                            if (v < acc[ai] || v != v) {
                                acc[ai] = v;
                            }
                        }
                    }
                }
            } else {
                for (int i = 0; i < n; i++, xi += xd, ai += ad) {
                    double v = x.get(xi);
                    acc[ai] = switch (op) {
                        case SUM -> acc[ai] + v;
                        case MAX -> v > acc[ai] ? v : acc[ai];
                        case MIN -> v < acc[ai] ? v : acc[ai];
                    };
                }
            }
        }, xl, accLayout);
        int[] k = {0};
        RowLoop.forEachRow(kept, (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                out.set(s[0] + i * st[0], acc[k[0]++]);
            }
        }, new Layout(kept, ol.strides(), ol.offset()));
    }

    /**
     * The sum of {@code x[from, from + length)} in double. Eight running sums: the adds' latency chain
     * otherwise bounds the loop (four ran at half this speed); indexed plainly, 3x faster than with a stride.
     */
    static double sumRun(float[] x, int from, int length) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        int end = from + length;
        for (; i + 7 < end; i += 8) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
            s4 += x[i + 4];
            s5 += x[i + 5];
            s6 += x[i + 6];
            s7 += x[i + 7];
        }
        for (; i < end; i++) {
            s0 += x[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
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
                if (x.isFloat()) {
                    float[] xs = x.floats();
                    float b = xs[base];
                    boolean max = op == ReduceOp.MAX;
                    for (int j = 1, at = base + step; j < len; j++, at += step) {
                        float v = xs[at];
                        int take = FloatCompare.replaces(v, b, max); // branch-free: maxima are unpredictable
                        best += take * (j - best);
                        b = take == 1 ? v : b;
                    }
                    bestV = b;
                } else {
                    for (int j = 1; j < len; j++) {
                        double v = x.get(base + j * step);
                        if (op == ReduceOp.MAX ? v > bestV : v < bestV) {
                            best = j;
                            bestV = v;
                        }
                    }
                }
                values.set(s[1] + i * st[1], bestV);
                indices.set(s[1] + i * st[1], best);
            }
        }, new Layout(kept, xl.strides(), xl.offset()), out);
    }
}
