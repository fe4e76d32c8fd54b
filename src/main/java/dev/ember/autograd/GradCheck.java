package dev.ember.autograd;

import dev.ember.core.DType;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks backward rules against finite differences, as {@code torch.autograd.gradcheck} does.
 *
 * <p>The (possibly non-scalar) output {@code out = f(inputs)} is projected onto a fixed random
 * weight tensor {@code R}: the analytic gradient of {@code sum(out * R)} comes from
 * {@code out.backward(R)}, the numeric one from central differences
 * {@code (L(x + h) - L(x - h)) / (2h)}, one input element at a time, with the function evaluated
 * under {@link GradMode#noGrad()} and {@code L = sum(out * R)} accumulated in double. Every float32
 * input is checked; other inputs (int64 indices, bool masks) are passed through unchanged.
 *
 * <p>The forward pass runs in float32, so the step is a compromise between rounding noise (which
 * grows as h shrinks) and truncation error (which grows as h^2): the defaults {@code h = 1e-2},
 * {@code atol = 1e-3}, {@code rtol = 1e-2} suit inputs of order 1 and still fail any wrong rule.
 * Inputs must stay more than h away from points where the function is not differentiable (0 for
 * relu and abs, ties for max).
 */
public final class GradCheck {
    /** The function under test. */
    @FunctionalInterface
    public interface Fn {
        Tensor apply(Tensor... inputs);
    }

    private double eps = 1e-2;
    private double atol = 1e-3;
    private double rtol = 1e-2;
    private long seed = 1234;

    private GradCheck() {
    }

    /** A checker with the default step and tolerances. */
    public static GradCheck withDefaults() {
        return new GradCheck();
    }

    /** Finite-difference step h. */
    public GradCheck eps(double value) {
        eps = value;
        return this;
    }

    /** Absolute and relative tolerance: passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}. */
    public GradCheck tolerance(double absolute, double relative) {
        atol = absolute;
        rtol = relative;
        return this;
    }

    /** Seed of the projection weights R. */
    public GradCheck seed(long value) {
        seed = value;
        return this;
    }

    /** Checks {@code f} at {@code inputs} with the default settings; throws {@link AssertionError} on a mismatch. */
    public static void check(Fn f, Tensor... inputs) {
        withDefaults().verify(f, inputs);
    }

    /** The outcome of a comparison: the worst element over all inputs. */
    public record Report(boolean passed, String message, double worstExcess) {
    }

    /** Compares and throws {@link AssertionError} naming the worst element when some gradient is off. */
    public void verify(Fn f, Tensor... inputs) {
        Report r = compare(f, inputs);
        if (!r.passed()) {
            throw new AssertionError(r.message());
        }
    }

    /** Compares analytic and numeric gradients of every float32 input. */
    public Report compare(Fn f, Tensor... inputs) {
        float[][] values = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() == DType.FLOAT32) {
                values[i] = inputs[i].detach().toFloatArray();
            }
        }

        // analytic: backward of sum(out * R) is out.backward(R)
        Tensor[] leaves = leaves(inputs, values, true);
        Tensor out;
        try (var on = GradMode.enableGrad()) {
            out = f.apply(leaves);
        }
        if (out.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("gradcheck: the function must return a float32 tensor, got "
                    + out.dtype().torchName());
        }
        float[] weights = new float[out.numel()];
        new Generator(seed).uniform(weights, 0, weights.length, -1, 1);
        Tensor r = Tensor.wrap(weights, out.shape().toArray());
        if (out.requiresGrad()) {
            out.backward(r);
        }

        Worst worst = new Worst();
        for (int i = 0; i < inputs.length; i++) {
            if (values[i] == null) {
                continue;
            }
            Tensor grad = leaves[i].grad();
            if (grad != null && !grad.shape().equals(leaves[i].shape())) {
                return new Report(false, "gradcheck: gradient of input " + i + " has shape " + grad.shape()
                        + " but the input has shape " + leaves[i].shape(), Double.POSITIVE_INFINITY);
            }
            float[] analytic = grad == null ? new float[values[i].length] : grad.toFloatArray();
            for (int j = 0; j < values[i].length; j++) {
                worst.offer(analytic[j], numericDerivative(f, inputs, values, i, j, weights), i, inputs[i], j);
            }
        }
        return worst.report();
    }

    /**
     * Checks the gradients of {@code f()} with respect to tensors it reads afresh on each call (a
     * module's parameters, leaves captured by a closure): each element is perturbed in place, under
     * no-grad, and restored. A tensor that gets no gradient fails the check.
     */
    public void verify(String what, Supplier<Tensor> f, List<Tensor> wrt) {
        for (Tensor t : wrt) {
            t.zeroGrad();
        }
        Tensor out;
        try (var on = GradMode.enableGrad()) {
            out = f.get();
        }
        float[] weights = new float[out.numel()];
        new Generator(seed).uniform(weights, 0, weights.length, -1, 1);
        out.backward(Tensor.wrap(weights, out.shape().toArray()));
        Worst worst = new Worst();
        for (int k = 0; k < wrt.size(); k++) {
            Tensor t = wrt.get(k);
            if (t.grad() == null) {
                throw new AssertionError(what + ": input " + k + " " + t.shape() + " got no gradient");
            }
            float[] analytic = t.grad().toFloatArray();
            float[] x = t.detach().toFloatArray();
            for (int j = 0; j < x.length; j++) {
                float original = x[j];
                float plus = (float) (original + eps);
                float minus = (float) (original - eps);
                x[j] = plus;
                double lPlus = projectedInPlace(f, t, x, weights);
                x[j] = minus;
                double lMinus = projectedInPlace(f, t, x, weights);
                x[j] = original;
                assign(t, x);
                worst.offer(analytic[j], (lPlus - lMinus) / ((double) plus - (double) minus), k, t, j);
            }
        }
        Report r = worst.report();
        if (!r.passed()) {
            throw new AssertionError(what + ": " + r.message());
        }
    }

    private static double projectedInPlace(Supplier<Tensor> f, Tensor t, float[] x, float[] weights) {
        assign(t, x);
        return projected(args -> f.get(), new Tensor[0], weights);
    }

    private static void assign(Tensor t, float[] x) {
        try (var off = GradMode.noGrad()) {
            t.copyInPlace(Tensor.wrap(x.clone(), t.shape().toArray()));
        }
    }

    /** The element whose analytic and numeric derivatives disagree most, relative to the tolerance. */
    private final class Worst {
        private double excess = Double.NEGATIVE_INFINITY;
        private String at = "";

        void offer(double analytic, double numeric, int input, Tensor tensor, int flat) {
            double diff = Math.abs(analytic - numeric);
            double e = diff / (atol + rtol * Math.abs(numeric));
            if (!(e <= excess) || Double.isNaN(e)) {
                excess = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                at = "input " + input + " " + tensor.shape() + " at index "
                        + Arrays.toString(unravel(flat, tensor.shape().toArray())) + ": analytic " + analytic
                        + ", numeric " + numeric + ", |difference| " + diff;
            }
        }

        Report report() {
            boolean passed = excess <= 1;
            String message = at.isEmpty() ? "gradcheck: no float32 input to check"
                    : "gradcheck " + (passed ? "passed" : "failed") + " (atol " + atol + ", rtol " + rtol + ", h " + eps
                    + "); worst element: " + at;
            return new Report(passed, message, excess);
        }
    }

    /** (L(x_j + h) - L(x_j - h)) / (x_j+ - x_j-), with the step actually taken in float32. */
    private double numericDerivative(Fn f, Tensor[] inputs, float[][] values, int i, int j, float[] weights) {
        float original = values[i][j];
        float plus = (float) (original + eps);
        float minus = (float) (original - eps);
        try {
            values[i][j] = plus;
            double lPlus = projected(f, leaves(inputs, values, false), weights);
            values[i][j] = minus;
            double lMinus = projected(f, leaves(inputs, values, false), weights);
            return (lPlus - lMinus) / ((double) plus - (double) minus);
        } finally {
            values[i][j] = original;
        }
    }

    private static double projected(Fn f, Tensor[] args, float[] weights) {
        float[] out;
        try (var off = GradMode.noGrad()) {
            out = f.apply(args).toFloatArray();
        }
        double sum = 0;
        for (int k = 0; k < out.length; k++) {
            sum += (double) out[k] * weights[k];
        }
        return sum;
    }

    /** Fresh contiguous copies of the float inputs (leaves that require grad when asked); others as given. */
    private static Tensor[] leaves(Tensor[] inputs, float[][] values, boolean requireGrad) {
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (values[i] == null) {
                out[i] = inputs[i];
            } else {
                out[i] = Tensor.wrap(values[i].clone(), inputs[i].shape().toArray());
                if (requireGrad) {
                    out[i].requiresGrad(true);
                }
            }
        }
        return out;
    }

    private static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        return idx;
    }
}
