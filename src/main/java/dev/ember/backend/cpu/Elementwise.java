package dev.ember.backend.cpu;

import dev.ember.backend.AdamScalars;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Layout;

/**
 * Elementwise kernels. Float storages run float math in tight per-op row loops (the hot path in
 * training); INT64 operands take a general path through double.
 */
final class Elementwise {
    private Elementwise() {
    }

    static float unary(UnaryOp op, float x, float a, float b) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case RELU -> Math.max(x, 0f);
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
            case RECIPROCAL -> 1f / x;
            case ADD_SCALAR -> x + a;
            case MUL_SCALAR -> x * a;
            case POW_SCALAR -> pow(x, a);
            case SCALAR_POW -> pow(a, x);
            case CLAMP -> clamp(x, a, b);
            case LEAKY_RELU -> x > 0 ? x : x * a;
        };
    }

    /** The int64 path: the same ops in double, exact for integers up to 2^53 (float holds only 2^24). */
    static double unaryExact(UnaryOp op, double x, double a, double b) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RELU -> x > 0 ? x : 0;
            case ADD_SCALAR -> x + a;
            case MUL_SCALAR -> x * a;
            case CLAMP -> Math.min(Math.max(x, Double.isNaN(a) ? x : a), Double.isNaN(b) ? x : b);
            case LEAKY_RELU -> x > 0 ? x : x * a;
            default -> unary(op, (float) x, (float) a, (float) b);
        };
    }

    private static float pow(float x, float e) {
        if (e == 2f) {
            return x * x;
        }
        return (float) Math.pow(x, e);
    }

    private static float clamp(float x, float lo, float hi) {
        if (Float.isNaN(x)) {
            return x;
        }
        float y = Float.isNaN(lo) ? x : Math.max(x, lo);
        return Float.isNaN(hi) ? y : Math.min(y, hi);
    }

    static void unary(UnaryOp op, double a, double b, CpuStorage x, Layout xl, CpuStorage out, Layout ol) {
        if (!x.isFloat() || !out.isFloat()) {
            RowLoop.forEachRow(xl.shape(), (s, st, n) -> {
                for (int i = 0; i < n; i++) {
                    out.set(s[1] + i * st[1], unaryExact(op, x.get(s[0] + i * st[0]), a, b));
                }
            }, xl, ol);
            return;
        }
        float[] xs = x.floats();
        float[] os = out.floats();
        float fa = (float) a;
        float fb = (float) b;
        RowLoop.forEachRow(xl.shape(), (s, st, n) -> {
            int xi = s[0];
            int oi = s[1];
            int xd = st[0];
            int od = st[1];
            switch (op) {
                case RELU -> {
                    // Math.max is branch-free (and SIMD for unit strides); NaN passes through, as in PyTorch
                    if (xd == 1 && od == 1 && xi == oi) {
                        for (int i = oi; i < oi + n; i++) {
                            os[i] = Math.max(xs[i], 0f);
                        }
                    } else {
                        for (int i = 0; i < n; i++, xi += xd, oi += od) {
                            os[oi] = Math.max(xs[xi], 0f);
                        }
                    }
                }
                case MUL_SCALAR -> {
                    if (xd == 1 && od == 1 && xi == oi) {
                        for (int i = oi; i < oi + n; i++) {
                            os[i] = xs[i] * fa;
                        }
                    } else {
                        for (int i = 0; i < n; i++, xi += xd, oi += od) {
                            os[oi] = xs[xi] * fa;
                        }
                    }
                }
                case ADD_SCALAR -> {
                    if (xd == 1 && od == 1 && xi == oi) {
                        for (int i = oi; i < oi + n; i++) {
                            os[i] = xs[i] + fa;
                        }
                    } else {
                        for (int i = 0; i < n; i++, xi += xd, oi += od) {
                            os[oi] = xs[xi] + fa;
                        }
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++, xi += xd, oi += od) {
                        os[oi] = unary(op, xs[xi], fa, fb);
                    }
                }
            }
        }, xl, ol);
    }

    static float binary(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> pow(x, y);
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case RELU_BACKWARD -> FloatCompare.passIfPositive(x, y);
            case EQ -> FloatCompare.eq(x, y);
            case NE -> FloatCompare.ne(x, y);
            case LT -> FloatCompare.lt(x, y);
            case LE -> FloatCompare.le(x, y);
            case GT -> FloatCompare.gt(x, y);
            case GE -> FloatCompare.ge(x, y);
        };
    }

    /** Integer arithmetic as PyTorch does it on int64 (DIV is true division, done in double by the caller's dtype). */
    private static double binaryExact(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case RELU_BACKWARD -> y > 0 ? x : 0;
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
        };
    }

    static void binary(BinaryOp op, CpuStorage x, Layout xl, CpuStorage y, Layout yl, CpuStorage out, Layout ol) {
        if (!x.isFloat() || !y.isFloat() || !out.isFloat()) {
            RowLoop.forEachRow(ol.shape(), (s, st, n) -> {
                for (int i = 0; i < n; i++) {
                    out.set(s[2] + i * st[2], binaryExact(op, x.get(s[0] + i * st[0]), y.get(s[1] + i * st[1])));
                }
            }, xl, yl, ol);
            return;
        }
        float[] xs = x.floats();
        float[] ys = y.floats();
        float[] os = out.floats();
        RowLoop.forEachRow(ol.shape(), (s, st, n) -> {
            if (st[0] == 1 && st[1] == 1 && st[2] == 1 && s[0] == s[2] && s[1] == s[2]) {
                alignedBinary(op, xs, ys, os, s[2], n);
                return;
            }
            int xi = s[0];
            int yi = s[1];
            int oi = s[2];
            int xd = st[0];
            int yd = st[1];
            int od = st[2];
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = xs[xi] + ys[yi];
                    }
                }
                case SUB -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = xs[xi] - ys[yi];
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = xs[xi] * ys[yi];
                    }
                }
                case DIV -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = xs[xi] / ys[yi];
                    }
                }
                case GT -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = FloatCompare.gt(xs[xi], ys[yi]);
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++, xi += xd, yi += yd, oi += od) {
                        os[oi] = binary(op, xs[xi], ys[yi]);
                    }
                }
            }
        }, xl, yl, ol);
    }

    /**
     * Unit-stride rows at one common offset (fresh tensors: all at 0) as plain indexed loops, which the
     * JIT turns into SIMD code. It does so only when every array is indexed by the same expression: with
     * a different offset per array C2 (JDK 17) cannot rule out that the arrays overlap at a distance and
     * runs the loop scalar, 5x slower.
     */
    private static void alignedBinary(BinaryOp op, float[] xs, float[] ys, float[] os, int at, int n) {
        switch (op) {
            case ADD -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = xs[i] + ys[i];
                }
            }
            case SUB -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = xs[i] - ys[i];
                }
            }
            case MUL -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = xs[i] * ys[i];
                }
            }
            case DIV -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = xs[i] / ys[i];
                }
            }
            case MAXIMUM -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = Math.max(xs[i], ys[i]);
                }
            }
            case RELU_BACKWARD -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = FloatCompare.passIfPositive(xs[i], ys[i]);
                }
            }
            default -> {
                for (int i = at; i < at + n; i++) {
                    os[i] = binary(op, xs[i], ys[i]);
                }
            }
        }
    }

    /** y += alpha * x in one pass (unit strides vectorise). */
    static void axpy(float alpha, CpuStorage x, Layout xl, CpuStorage y, Layout yl) {
        float[] xs = x.floats();
        float[] ys = y.floats();
        RowLoop.forEachRow(yl.shape(), (s, st, n) -> {
            if (st[0] == 1 && st[1] == 1 && s[0] == s[1]) {
                for (int i = s[0]; i < s[0] + n; i++) {
                    ys[i] += alpha * xs[i];
                }
            } else {
                for (int i = 0, xi = s[0], yi = s[1]; i < n; i++, xi += st[0], yi += st[1]) {
                    ys[yi] += alpha * xs[xi];
                }
            }
        }, xl, yl);
    }

    /**
     * {@link dev.ember.backend.Backend#sgdMomentum} over {@code n} contiguous floats from {@code at} in each array, with the composed
     * version's float operations in its order, so both give the same bits ({@code keep} is {@code 1 -
     * dampening} and {@code step} is {@code -lr}, each rounded to float once, as axpy's alpha).
     */
    static void sgdMomentum(float step, float momentum, float keep, float weightDecay, boolean nesterov,
                            float[] p, float[] g, float[] buf, int at, int n) {
        for (int i = at; i < at + n; i++) {
            float gi = g[i];
            if (weightDecay != 0) {
                gi = gi + p[i] * weightDecay;
            }
            float b = buf[i] * momentum;
            b += keep * gi;
            buf[i] = b;
            float u = nesterov ? gi + b * momentum : b;
            p[i] += step * u;
        }
    }

    /**
     * {@link dev.ember.backend.Backend#adam} over {@code n} contiguous floats from {@code at} in each
     * array, with the composed version's float operations in its order and its {@link AdamScalars},
     * so both give the same bits.
     */
    static void adam(AdamScalars s, float[] p, float[] g, float[] m, float[] v, int at, int n) {
        for (int i = at; i < at + n; i++) {
            float pi = p[i];
            float gi = g[i];
            if (s.decays()) {
                if (s.decoupled()) {
                    pi = pi * s.decay();
                } else {
                    gi = gi + pi * s.decay();
                }
            }
            float mi = m[i] * s.beta1();
            mi += s.keep1() * gi;
            float vi = v[i] * s.beta2();
            vi += s.keep2() * (gi * gi);
            float denom = (float) Math.sqrt(vi) * s.invBias2Sqrt() + s.eps();
            m[i] = mi;
            v[i] = vi;
            p[i] = pi + s.step() * (mi / denom);
        }
    }


    static void where(CpuStorage c, Layout cl, CpuStorage x, Layout xl, CpuStorage y, Layout yl, CpuStorage out, Layout ol) {
        RowLoop.forEachRow(ol.shape(), (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                boolean take = c.get(s[0] + i * st[0]) != 0;
                out.set(s[3] + i * st[3], take ? x.get(s[1] + i * st[1]) : y.get(s[2] + i * st[2]));
            }
        }, cl, xl, yl, ol);
    }

    static void copy(CpuStorage src, Layout sl, CpuStorage dst, Layout dl) {
        boolean toBool = dst.dtype() == DType.BOOL && src.dtype() != DType.BOOL;
        if (src.isFloat() && dst.isFloat() && !toBool) {
            float[] ss = src.floats();
            float[] ds = dst.floats();
            RowLoop.forEachRow(dl.shape(), (s, st, n) -> {
                if (st[0] == 1 && st[1] == 1) {
                    System.arraycopy(ss, s[0], ds, s[1], n);
                } else {
                    for (int i = 0, si = s[0], di = s[1]; i < n; i++, si += st[0], di += st[1]) {
                        ds[di] = ss[si];
                    }
                }
            }, sl, dl);
        } else if (!src.isFloat() && !dst.isFloat()) {
            long[] ss = src.longs();
            long[] ds = dst.longs();
            RowLoop.forEachRow(dl.shape(), (s, st, n) -> {
                for (int i = 0, si = s[0], di = s[1]; i < n; i++, si += st[0], di += st[1]) {
                    ds[di] = ss[si];
                }
            }, sl, dl);
        } else {
            RowLoop.forEachRow(dl.shape(), (s, st, n) -> {
                for (int i = 0; i < n; i++) {
                    double v = src.get(s[0] + i * st[0]);
                    dst.set(s[1] + i * st[1], toBool ? (v != 0 ? 1 : 0) : v);
                }
            }, sl, dl);
        }
    }

    static void fill(CpuStorage dst, Layout dl, double value) {
        RowLoop.forEachRow(dl.shape(), (s, st, n) -> {
            for (int i = 0; i < n; i++) {
                dst.set(s[0] + i * st[0], value);
            }
        }, dl);
    }
}
