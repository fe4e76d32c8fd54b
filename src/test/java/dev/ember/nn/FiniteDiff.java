package dev.ember.nn;

import dev.ember.autograd.GradCheck;
import dev.ember.autograd.GradMode;
import dev.ember.tensor.Tensor;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Gradient checks of layers and losses w.r.t. inputs and parameters, through
 * {@link GradCheck#verify(String, Supplier, List)}, plus seeded test data. {@code f} must be
 * deterministic (reseed inside it if it draws random numbers) and must read the tensors in
 * {@code wrt} afresh on each call: they are perturbed in place, under no-grad.
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
        GradCheck.withDefaults().eps(h).tolerance(atol, rtol).verify(what, f, wrt);
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
