package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.autograd.GradMode;
import dev.ember.tensor.Tensor;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A small finite-difference gradient checker for tests. The output of {@code f} is projected onto a
 * fixed random weight tensor R, L = Σ f()·R (summed in double), and autograd's dL/dx (from
 * {@code f().backward(R)}) is compared with central differences (L(x+h) - L(x-h)) / (actual 2h) for
 * every element of every tensor in {@code wrt}. The forward runs in float32, so h ~ 1e-2..1e-3 and
 * a tolerance of atol ~ 1e-3, rtol ~ 1e-2 separate rounding from a wrong rule (which is off by O(1)).
 *
 * <p>{@code f} must be deterministic (reseed inside it if it draws random numbers) and must read the
 * tensors in {@code wrt} afresh on each call: they are perturbed in place, under no-grad.
 */
public final class FiniteDiff {
    public static final double H = 1e-2;
    public static final double ATOL = 1e-3;
    public static final double RTOL = 1e-2;

    private FiniteDiff() {
    }

    public static void check(String what, Supplier<Tensor> f, List<Tensor> wrt) {
        check(what, f, wrt, H, ATOL, RTOL);
    }

    public static void check(String what, Supplier<Tensor> f, List<Tensor> wrt, double h, double atol, double rtol) {
        for (Tensor t : wrt) {
            t.zeroGrad();
        }
        Tensor out = f.get();
        float[] r = new float[out.numel()];
        Random random = new Random(out.numel() * 31L + 17);
        for (int i = 0; i < r.length; i++) {
            // multiples of 1/64 in [-1, 1]: exact in float and in double, never zero
            r[i] = (random.nextInt(128) + 1 - 64.5f) / 64f;
        }
        out.backward(Tensor.wrap(r, out.shape().toArray()));
        StringBuilder failures = new StringBuilder();
        int failed = 0;
        int checked = 0;
        for (int k = 0; k < wrt.size(); k++) {
            Tensor t = wrt.get(k);
            assertNotNull(t.grad(), what + ": input " + k + " " + t.shape() + " got no gradient");
            float[] analytic = t.grad().toFloatArray();
            float[] x = t.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                float plus = (float) (orig + h);
                float minus = (float) (orig - h);
                x[i] = plus;
                double lp = projected(f, t, x, r);
                x[i] = minus;
                double lm = projected(f, t, x, r);
                x[i] = orig;
                set(t, x);
                double numeric = (lp - lm) / ((double) plus - (double) minus);
                double a = analytic[i];
                checked++;
                if (!(Math.abs(a - numeric) <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) {
                    if (failed++ < 8) {
                        failures.append(String.format("%n  input %d %s flat index %d: autograd %.6g, numeric %.6g",
                                k, t.shape(), i, a, numeric));
                    }
                }
            }
        }
        if (failed > 0) {
            fail(what + ": " + failed + " of " + checked + " gradient elements differ from central differences "
                    + "(h=" + h + ", atol=" + atol + ", rtol=" + rtol + "):" + failures);
        }
    }

    private static double projected(Supplier<Tensor> f, Tensor t, float[] x, float[] r) {
        set(t, x);
        float[] y;
        try (var off = GradMode.noGrad()) {
            y = f.get().toFloatArray();
        }
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (double) y[i] * r[i];
        }
        return sum;
    }

    private static void set(Tensor t, float[] x) {
        try (var off = GradMode.noGrad()) {
            t.copyInPlace(Tensor.wrap(x.clone(), t.shape().toArray()));
        }
    }

    // ---------------------------------------------------------------- test data

    /** Uniform values in [lo, hi) from a seeded java.util.Random (independent of Ember's generator). */
    public static Tensor uniform(long seed, double lo, double hi, int... shape) {
        Random random = new Random(seed);
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return Tensor.wrap(v, shape);
    }

    /**
     * Distinct values at least {@code gap} apart, in random order, centred on zero, none within
     * gap/2 of zero: safe for max pooling, ReLU and other kinks under perturbations smaller than gap/2.
     */
    public static Tensor distinct(long seed, double gap, int... shape) {
        Random random = new Random(seed);
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((i - n / 2 + 0.5) * gap);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
        }
        return Tensor.wrap(v, shape);
    }

    /** A leaf that requires grad. */
    public static Tensor leaf(Tensor t) {
        return t.requiresGrad(true);
    }

    /** Overwrites a parameter's values (under no-grad), e.g. to give BatchNorm a non-trivial affine part. */
    public static void assign(Tensor param, Tensor values) {
        try (var off = GradMode.noGrad()) {
            param.copyInPlace(values);
        }
    }
}
