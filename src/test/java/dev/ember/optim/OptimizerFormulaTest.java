package dev.ember.optim;

import static dev.ember.nn.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

/**
 * SGD, Adam and AdamW against PyTorch's update rules (torch/optim/sgd.py, adam.py, single-tensor
 * path) re-implemented here in double: several steps on a quadratic whose gradient depends on the
 * parameters, so every step's state feeds the next. Hand-worked literals pin the simplest cases.
 */
class OptimizerFormulaTest {
    private static final float[] START = {1.0f, -2.0f, 0.5f, 3.0f};
    private static final double[] A = {1.0, 0.5, 2.0, 0.1};
    private static final double[] B = {0.3, -0.2, 0.0, 1.0};
    private static final int STEPS = 5;

    /** The gradient of Σ a·p²/2 + b·p: a·p + b. */
    private static double[] grad(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            g[i] = A[i] * p[i] + B[i];
        }
        return g;
    }

    /** Runs an Ember optimizer for STEPS steps on the quadratic (gradients set directly) and returns p. */
    private static float[] runEmber(Function<List<Tensor>, Optimizer> make) {
        Tensor p = Tensor.of(START).requiresGrad(true);
        Optimizer opt = make.apply(List.of(p));
        for (int t = 0; t < STEPS; t++) {
            float[] pv = p.toFloatArray();
            double[] pd = new double[pv.length];
            for (int i = 0; i < pv.length; i++) {
                pd[i] = pv[i];
            }
            double[] g = grad(pd);
            float[] gf = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                gf[i] = (float) g[i];
            }
            p.setGrad(Tensor.of(gf));
            opt.step();
        }
        return p.toFloatArray();
    }

    private static double[] start() {
        double[] p = new double[START.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = START[i];
        }
        return p;
    }

    /** torch.optim.SGD's _single_tensor_sgd, in double. */
    private static double[] torchSgd(double lr, double momentum, double dampening, double wd, boolean nesterov) {
        double[] p = start();
        double[] buf = null;
        for (int t = 0; t < STEPS; t++) {
            double[] g = grad(p);
            for (int i = 0; i < p.length; i++) {
                g[i] += wd * p[i];
            }
            if (momentum != 0) {
                if (buf == null) {
                    buf = g.clone();
                } else {
                    for (int i = 0; i < p.length; i++) {
                        buf[i] = momentum * buf[i] + (1 - dampening) * g[i];
                    }
                }
                for (int i = 0; i < p.length; i++) {
                    g[i] = nesterov ? g[i] + momentum * buf[i] : buf[i];
                }
            }
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * g[i];
            }
        }
        return p;
    }

    /** torch.optim.Adam/AdamW's _single_tensor_adam (amsgrad off), in double. */
    private static double[] torchAdam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        double[] p = start();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int step = 1; step <= STEPS; step++) {
            double[] g = grad(p);
            for (int i = 0; i < p.length; i++) {
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    g[i] += wd * p[i];
                }
                m[i] += (g[i] - m[i]) * (1 - b1);
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double bc1 = 1 - Math.pow(b1, step);
                double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
                double denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
                p[i] -= lr / bc1 * m[i] / denom;
            }
        }
        return p;
    }

    private static void assertSgd(double lr, double momentum, double dampening, double wd, boolean nesterov) {
        float[] mine = runEmber(ps -> SGD.builder(ps, lr).momentum(momentum).dampening(dampening).weightDecay(wd)
                .nesterov(nesterov).build());
        assertClose(torchSgd(lr, momentum, dampening, wd, nesterov), mine, 1e-6, 1e-5, "SGD lr=" + lr + " momentum="
                + momentum + " dampening=" + dampening + " weight_decay=" + wd + " nesterov=" + nesterov);
    }

    @Test
    void sgdVariantsFollowTorch() {
        assertSgd(0.1, 0, 0, 0, false);
        assertSgd(0.1, 0.9, 0, 0, false);
        assertSgd(0.1, 0.9, 0.5, 0, false);
        assertSgd(0.1, 0.9, 0, 0, true);
        assertSgd(0.1, 0, 0, 0.05, false);
        assertSgd(0.05, 0.8, 0.3, 0.1, false);
        assertSgd(0.05, 0.8, 0, 0.1, true);
    }

    /** p = 1, constant gradient 0.5, lr 0.1 (gradients set by hand, no quadratic). */
    private static float[] constantGradient(Optimizer opt, Tensor p, int steps) {
        float[] trace = new float[steps];
        for (int t = 0; t < steps; t++) {
            p.setGrad(Tensor.of(0.5f));
            opt.step();
            trace[t] = p.toFloatArray()[0];
        }
        return trace;
    }

    @Test
    void sgdHandWorked() {
        Tensor p = Tensor.of(1f).requiresGrad(true);
        // buf 0.5, 0.95, 1.355 -> p 0.95, 0.855, 0.7195
        assertClose(new double[] {0.95, 0.855, 0.7195}, constantGradient(SGD.builder(List.of(p), 0.1).momentum(0.9)
                .build(), p, 3), 1e-7, 1e-6, "momentum 0.9");
        Tensor q = Tensor.of(1f).requiresGrad(true);
        // the first step copies the gradient undamped: buf 0.5, then 0.9·0.5 + 0.5·0.5 = 0.7
        assertClose(new double[] {0.95, 0.88}, constantGradient(SGD.builder(List.of(q), 0.1).momentum(0.9)
                .dampening(0.5).build(), q, 2), 1e-7, 1e-6, "momentum 0.9, dampening 0.5");
        Tensor r = Tensor.of(1f).requiresGrad(true);
        // Nesterov: g + 0.9·buf = 0.95, then 0.5 + 0.9·0.95 = 1.355
        assertClose(new double[] {0.905, 0.7695}, constantGradient(SGD.builder(List.of(r), 0.1).momentum(0.9)
                .nesterov(true).build(), r, 2), 1e-7, 1e-6, "nesterov");
        Tensor s = Tensor.of(1f).requiresGrad(true);
        // weight decay 0.1: g = 0.5 + 0.1·p: p = 1 - 0.1·0.6 = 0.94, then 0.94 - 0.1·0.594 = 0.8806
        assertClose(new double[] {0.94, 0.8806}, constantGradient(SGD.builder(List.of(s), 0.1).weightDecay(0.1)
                .build(), s, 2), 1e-7, 1e-6, "weight decay");
    }

    @Test
    void sgdSkipsParametersWithoutGradients() {
        Tensor a = Tensor.of(1f).requiresGrad(true);
        Tensor b = Tensor.of(2f).requiresGrad(true);
        Optimizer opt = SGD.builder(List.of(a, b), 0.1).momentum(0.9).build();
        a.setGrad(Tensor.of(1f));
        opt.step();
        assertEquals(0.9f, a.toFloatArray()[0], 1e-7);
        assertEquals(2f, b.toFloatArray()[0]);
        assertEquals(List.of("state.0.momentum_buffer"), List.copyOf(opt.stateDict().keySet()));
    }

    @Test
    void sgdRejectsBadSettings() {
        List<Tensor> ps = List.of(Tensor.of(1f).requiresGrad(true));
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(ps, -0.1).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(ps, 0.1).momentum(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(ps, 0.1).weightDecay(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(ps, 0.1).nesterov(true).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(ps, 0.1).momentum(0.9).dampening(0.1)
                .nesterov(true).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(List.of(), 0.1).build());
        Tensor nonLeaf = Tensor.of(1f).requiresGrad(true).mul(2);
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(List.of(nonLeaf), 0.1).build());
    }

    private static void assertAdam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        float[] mine = runEmber(ps -> decoupled ? new AdamW(ps, lr, b1, b2, eps, wd) : new Adam(ps, lr, b1, b2, eps, wd));
        assertClose(torchAdam(lr, b1, b2, eps, wd, decoupled), mine, 1e-6, 1e-5, (decoupled ? "AdamW" : "Adam")
                + " lr=" + lr + " betas=(" + b1 + ", " + b2 + ") eps=" + eps + " weight_decay=" + wd);
    }

    @Test
    void adamAndAdamWFollowTorch() {
        assertAdam(0.1, 0.9, 0.999, 1e-8, 0, false);
        // a large eps makes its place in the denominator (after the bias correction of sqrt(v)) matter
        assertAdam(0.1, 0.9, 0.999, 0.1, 0, false);
        assertAdam(0.05, 0.5, 0.9, 1e-3, 0, false);
        // weight decay coupled (into the gradient) and decoupled (on the parameter) differ
        assertAdam(0.1, 0.9, 0.999, 1e-8, 0.1, false);
        assertAdam(0.1, 0.9, 0.999, 1e-8, 0.1, true);
        assertAdam(0.1, 0.8, 0.99, 0.1, 0.5, true);
        float[] defaults = runEmber(ps -> new AdamW(ps, 0.01));
        assertClose(torchAdam(0.01, 0.9, 0.999, 1e-8, 1e-2, true), defaults, 1e-6, 1e-5, "AdamW defaults (wd 1e-2)");
        float[] adamDefaults = runEmber(ps -> new Adam(ps, 0.01));
        assertClose(torchAdam(0.01, 0.9, 0.999, 1e-8, 0, false), adamDefaults, 1e-6, 1e-5, "Adam defaults");
    }

    @Test
    void adamHandWorked() {
        // with bias correction the first steps move by lr·g/(|g| + eps): 0.1 each while the gradient is constant
        Tensor p = Tensor.of(1f).requiresGrad(true);
        assertClose(new double[] {0.9, 0.8, 0.7}, constantGradient(new Adam(List.of(p), 0.1), p, 3), 1e-6, 1e-6,
                "Adam, constant gradient");
        // eps 0.5: first step 0.1·0.5/(0.5 + 0.5)
        Tensor q = Tensor.of(1f).requiresGrad(true);
        assertClose(new double[] {0.95}, constantGradient(new Adam(List.of(q), 0.1, 0.9, 0.999, 0.5, 0), q, 1), 1e-7,
                1e-6, "Adam, eps 0.5");
        // AdamW: p·(1 - 0.1·0.5) = 0.95 first, then the Adam step of 0.1
        Tensor r = Tensor.of(1f).requiresGrad(true);
        assertClose(new double[] {0.85}, constantGradient(new AdamW(List.of(r), 0.1, 0.9, 0.999, 1e-8, 0.5), r, 1),
                1e-6, 1e-6, "AdamW, weight decay 0.5");
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(r), 0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(r), 0.1, 0.9, 0.999, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(r), 0.1, 0.9, 0.999, 1e-8, -1));
    }

    @Test
    void zeroGradClearsGradients() {
        Tensor p = Tensor.of(1f, 2f).requiresGrad(true);
        Optimizer opt = new Adam(List.of(p), 0.1);
        p.mul(p).sum().backward();
        opt.zeroGrad();
        assertEquals(null, p.grad());
    }
}
