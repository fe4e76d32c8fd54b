package dev.ember.loss;

import static dev.ember.nn.Approx.assertClose;
import static dev.ember.nn.FiniteDiff.check;
import static dev.ember.nn.FiniteDiff.leaf;
import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.core.ShapeException;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Every loss, every reduction: values against formulas evaluated independently in double, gradients
 * against central differences and, where the derivative has a closed form, against that.
 */
class LossTest {
    private static final long[] LABELS = {2, 0, 3, 3, 1};
    private static final int N = 5;
    private static final int C = 4;

    private static double[] reduce(double[] perSample, Reduction r) {
        double sum = 0;
        for (double v : perSample) {
            sum += v;
        }
        return switch (r) {
            case MEAN -> new double[] {sum / perSample.length};
            case SUM -> new double[] {sum};
            case NONE -> perSample;
        };
    }

    private static double[][] rows(Tensor t, int cols) {
        float[] v = t.toFloatArray();
        double[][] out = new double[v.length / cols][cols];
        for (int i = 0; i < v.length; i++) {
            out[i / cols][i % cols] = v[i];
        }
        return out;
    }

    private static double[] logSoftmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        double lse = max + Math.log(s);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - lse;
        }
        return out;
    }

    // ---------------------------------------------------------------- MSE

    @Test
    void mseValuesAndGradients() {
        Tensor x = uniform(1, -2, 2, 3, 4);
        Tensor y = uniform(2, -2, 2, 3, 4);
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        double[] sq = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            sq[i] = ((double) xs[i] - ys[i]) * ((double) xs[i] - ys[i]);
        }
        for (Reduction r : Reduction.values()) {
            MSELoss loss = new MSELoss(r);
            assertClose(reduce(sq, r), loss.apply(x, y).toFloatArray(), 1e-6, 1e-6, "mse " + r);
            Tensor xl = leaf(x.clone());
            Tensor yl = leaf(y.clone());
            check("mse " + r + " w.r.t. input and target", () -> loss.apply(xl, yl), List.of(xl, yl));
        }
        assertEquals(0.0, new MSELoss().apply(x, x).item());
        assertThrows(ShapeException.class, () -> new MSELoss().apply(x, Tensor.zeros(4, 3)));
    }

    @Test
    void mseMeanGradientIsTwoDiffOverN() {
        Tensor x = Tensor.of(1f, 2f, 4f).requiresGrad(true);
        Tensor y = Tensor.of(0f, 2f, 1f);
        new MSELoss().apply(x, y).backward();
        assertClose(new double[] {2.0 / 3, 0, 2.0}, x.grad().toFloatArray(), 1e-7, 1e-6, "d mse / dx");
    }

    // ---------------------------------------------------------------- NLL and cross entropy

    @Test
    void nllValuesAndGradients() {
        Tensor logits = uniform(3, -3, 3, N, C);
        Tensor logp = logits.logSoftmax(1);
        Tensor target = Tensor.ofLongs(LABELS);
        double[][] lp = rows(logp, C);
        double[] per = new double[N];
        for (int i = 0; i < N; i++) {
            per[i] = -lp[i][(int) LABELS[i]];
        }
        for (Reduction r : Reduction.values()) {
            NLLLoss loss = new NLLLoss(r);
            assertClose(reduce(per, r), loss.apply(logp, target).toFloatArray(), 1e-6, 1e-6, "nll " + r);
            // NLL takes any scores, not only normalised ones
            Tensor scores = leaf(uniform(4, -3, 3, N, C));
            check("nll " + r, () -> loss.apply(scores, target), List.of(scores));
        }
        Tensor s = Tensor.zeros(N, C).requiresGrad(true);
        new NLLLoss().apply(s, target).backward();
        float[] expected = new float[N * C];
        for (int i = 0; i < N; i++) {
            expected[i * C + (int) LABELS[i]] = -1f / N;
        }
        assertArrayEquals(expected, s.grad().toFloatArray(), "d nll / d scores = -1/N at the targets");
    }

    private static double[] crossEntropyReference(double[][] x, long[] labels, double eps) {
        double[] per = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] lp = logSoftmax(x[i]);
            double smooth = 0;
            for (double v : lp) {
                smooth -= v;
            }
            // torch: (1 - ε)·nll + (ε / C)·Σ_c -log p_c
            per[i] = (1 - eps) * -lp[(int) labels[i]] + eps / lp.length * smooth;
        }
        return per;
    }

    @Test
    void crossEntropyValuesWithLabelSmoothing() {
        Tensor logits = uniform(5, -4, 4, N, C);
        Tensor target = Tensor.ofLongs(LABELS);
        double[][] x = rows(logits, C);
        for (double eps : new double[] {0, 0.1, 0.5, 1.0}) {
            double[] per = crossEntropyReference(x, LABELS, eps);
            for (Reduction r : Reduction.values()) {
                assertClose(reduce(per, r), new CrossEntropyLoss(r, eps).apply(logits, target).toFloatArray(), 1e-5,
                        1e-5, "cross entropy " + r + " label_smoothing " + eps);
            }
        }
        // the default is mean, no smoothing, and equals NLL of log-softmax
        assertEquals(new NLLLoss().apply(logits.logSoftmax(1), target).item(),
                new CrossEntropyLoss().apply(logits, target).item(), 1e-6);
        // uniform logits: log C whatever the smoothing
        assertEquals(Math.log(C), new CrossEntropyLoss(Reduction.MEAN, 0.3).apply(Tensor.zeros(N, C), target).item(),
                1e-6);
    }

    @Test
    void crossEntropyGradients() {
        Tensor target = Tensor.ofLongs(LABELS);
        for (double eps : new double[] {0, 0.1, 1.0}) {
            for (Reduction r : Reduction.values()) {
                Tensor logits = leaf(uniform(6, -4, 4, N, C));
                CrossEntropyLoss loss = new CrossEntropyLoss(r, eps);
                check("cross entropy " + r + " label_smoothing " + eps, () -> loss.apply(logits, target),
                        List.of(logits));
            }
        }
        // closed form for the mean: (softmax - smoothed one-hot) / N
        Tensor logits = leaf(uniform(7, -4, 4, N, C));
        double eps = 0.2;
        new CrossEntropyLoss(Reduction.MEAN, eps).apply(logits, target).backward();
        double[][] x = rows(logits, C);
        double[] expected = new double[N * C];
        for (int i = 0; i < N; i++) {
            double[] lp = logSoftmax(x[i]);
            for (int c = 0; c < C; c++) {
                double q = (c == LABELS[i] ? 1 - eps : 0) + eps / C;
                expected[i * C + c] = (Math.exp(lp[c]) - q) / N;
            }
        }
        assertClose(expected, logits.grad().toFloatArray(), 1e-6, 1e-5, "d cross entropy / d logits");
    }

    @Test
    void classLossesCheckTheirArguments() {
        Tensor logits = Tensor.zeros(3, 4);
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().apply(logits, Tensor.zeros(3)),
                "float targets are rejected");
        assertThrows(ShapeException.class, () -> new CrossEntropyLoss().apply(logits, Tensor.ofLongs(0, 1)));
        assertThrows(ShapeException.class, () -> new NLLLoss().apply(Tensor.zeros(4), Tensor.ofLongs(0)));
        // torch: "Target -1 is out of bounds." (a negative label must not wrap around to the last class)
        assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss().apply(logits, Tensor.ofLongs(0, -1, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> new NLLLoss().apply(logits, Tensor.ofLongs(0, 4, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss(Reduction.SUM, 0.1)
                .apply(logits, Tensor.ofLongs(-4, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(Reduction.MEAN, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(Reduction.MEAN, -0.1));
    }

    // ---------------------------------------------------------------- BCE with logits

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    @Test
    void bceWithLogitsValuesIncludingExtremes() {
        Tensor x = Tensor.of(new float[][] {{-3f, 0f, 2.5f}, {40f, -40f, 0.5f}, {100f, -100f, 1e-3f}});
        Tensor y = Tensor.of(new float[][] {{0f, 1f, 1f}, {0f, 1f, 0.3f}, {1f, 0f, 0.5f}});
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        double[] per = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            // -[y log σ(x) + (1-y) log(1-σ(x))] = softplus(x) - x·y
            per[i] = softplus(xs[i]) - (double) xs[i] * ys[i];
        }
        for (Reduction r : Reduction.values()) {
            assertClose(reduce(per, r), new BCEWithLogitsLoss(r).apply(x, y).toFloatArray(), 1e-6, 1e-5,
                    "bce_with_logits " + r);
        }
        assertThrows(ShapeException.class, () -> new BCEWithLogitsLoss().apply(x, Tensor.zeros(9)));
    }

    @Test
    void bceWithLogitsGradientIsSigmoidMinusTarget() {
        // exactly 0 is included: the derivative is σ(0) - y = 0.5 - y there as everywhere
        Tensor x = Tensor.of(-3f, -0.5f, 0f, 0f, 0.7f, 30f, -30f).requiresGrad(true);
        Tensor y = Tensor.of(0f, 1f, 1f, 0f, 0.25f, 0f, 1f);
        new BCEWithLogitsLoss(Reduction.SUM).apply(x, y).backward();
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        double[] expected = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expected[i] = 1 / (1 + Math.exp(-xs[i])) - ys[i];
        }
        assertClose(expected, x.grad().toFloatArray(), 1e-6, 1e-5, "d bce_with_logits / dx");
    }

    @Test
    void bceWithLogitsGradients() {
        for (Reduction r : Reduction.values()) {
            Tensor x = leaf(uniform(8, -4, 4, 3, 5));
            Tensor y = leaf(uniform(9, 0, 1, 3, 5));
            BCEWithLogitsLoss loss = new BCEWithLogitsLoss(r);
            check("bce_with_logits " + r + " w.r.t. logits and targets", () -> loss.apply(x, y), List.of(x, y));
        }
    }
}
