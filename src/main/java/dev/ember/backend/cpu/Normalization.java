package dev.ember.backend.cpu;

/**
 * Batch norm over dense [N, C, S] arrays. Every pass walks memory in order, run by run of S floats
 * with per-channel coefficients: visiting a channel's N runs one after another (the channel-major
 * order) measured 7x slower here, each run starting a new memory stream. Sums accumulate in double
 * (as PyTorch's CPU kernels do); the per-element passes index every array with one expression, so
 * they vectorise.
 */
final class Normalization {
    private Normalization() {
    }

    /** Per channel: the mean and the biased variance (two passes: the mean first, then squared deviations). */
    static void stats(float[] x, int n, int c, int s, float[] mean, float[] var) {
        double count = (double) n * s;
        double[] sums = new double[c];
        for (int img = 0, at = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                sums[ch] += Reductions.sumRun(x, at, s);
            }
        }
        double[] means = new double[c];
        for (int ch = 0; ch < c; ch++) {
            means[ch] = sums[ch] / count;
            sums[ch] = 0;
        }
        for (int img = 0, at = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                sums[ch] += squaredDeviations(x, at, s, means[ch]);
            }
        }
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = (float) means[ch];
            var[ch] = (float) (sums[ch] / count);
        }
    }

    /** out = x·α[c] + β[c] with α = invstd·weight and β = bias − mean·α (weight, bias null: 1, 0). */
    static void forward(float[] x, int n, int c, int s, float[] mean, float[] invstd, float[] weight, float[] bias,
                        float[] out) {
        float[] alpha = new float[c];
        float[] beta = new float[c];
        for (int ch = 0; ch < c; ch++) {
            alpha[ch] = invstd[ch] * (weight == null ? 1f : weight[ch]);
            beta[ch] = (bias == null ? 0f : bias[ch]) - mean[ch] * alpha[ch];
        }
        for (int img = 0, at = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float a = alpha[ch];
                float b = beta[ch];
                for (int i = at; i < at + s; i++) {
                    out[i] = x[i] * a + b;
                }
            }
        }
    }

    /** See {@code Backend.batchNormBackward}; gx, gWeight and gBias may each be null. */
    static void backward(float[] g, float[] x, int n, int c, int s, float[] mean, float[] invstd, float[] weight,
                         boolean batchStats, float[] gx, float[] gWeight, float[] gBias) {
        double count = (double) n * s;
        double[] sums = new double[c];
        double[] dots = new double[c];
        if (gWeight != null || gBias != null || gx != null && batchStats) {
            for (int img = 0, at = 0; img < n; img++) {
                for (int ch = 0; ch < c; ch++, at += s) {
                    sums[ch] += Reductions.sumRun(g, at, s);
                    dots[ch] += dot(g, x, at, s, mean[ch]);
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            if (gWeight != null) {
                gWeight[ch] = (float) (dots[ch] * invstd[ch]);
            }
            if (gBias != null) {
                gBias[ch] = (float) sums[ch];
            }
        }
        if (gx == null) {
            return;
        }
        float[] scale = new float[c];
        float[] k = new float[c];
        float[] gradMean = new float[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = invstd[ch] * (weight == null ? 1f : weight[ch]);
            if (batchStats) {
                k[ch] = (float) (dots[ch] * invstd[ch] * invstd[ch] / count);
                gradMean[ch] = (float) (sums[ch] / count);
            }
        }
        for (int img = 0, at = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float sc = scale[ch];
                if (batchStats) {
                    float m = mean[ch];
                    float kc = k[ch];
                    float gm = gradMean[ch];
                    for (int i = at; i < at + s; i++) {
                        gx[i] = (g[i] - gm - (x[i] - m) * kc) * sc;
                    }
                } else {
                    for (int i = at; i < at + s; i++) {
                        gx[i] = g[i] * sc;
                    }
                }
            }
        }
    }

    /** Σ (x − m)² over one run; eight running sums, as {@link Reductions#sumRun}. */
    private static double squaredDeviations(float[] x, int from, int length, double m) {
        int i = from;
        int end = from + length;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        for (; i + 7 < end; i += 8) {
            double d0 = x[i] - m;
            double d1 = x[i + 1] - m;
            double d2 = x[i + 2] - m;
            double d3 = x[i + 3] - m;
            double d4 = x[i + 4] - m;
            double d5 = x[i + 5] - m;
            double d6 = x[i + 6] - m;
            double d7 = x[i + 7] - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        for (; i < end; i++) {
            double d = x[i] - m;
            s0 += d * d;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Σ g·(x − m) over one run; eight running sums. */
    private static double dot(float[] g, float[] x, int from, int length, double m) {
        int i = from;
        int end = from + length;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        for (; i + 7 < end; i += 8) {
            s0 += g[i] * (x[i] - m);
            s1 += g[i + 1] * (x[i + 1] - m);
            s2 += g[i + 2] * (x[i + 2] - m);
            s3 += g[i + 3] * (x[i + 3] - m);
            s4 += g[i + 4] * (x[i + 4] - m);
            s5 += g[i + 5] * (x[i + 5] - m);
            s6 += g[i + 6] * (x[i + 6] - m);
            s7 += g[i + 7] * (x[i + 7] - m);
        }
        for (; i < end; i++) {
            s0 += g[i] * (x[i] - m);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
