package dev.ember.optim;

import dev.ember.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, with PyTorch's update (Sutskever et al. 2013 form): g ← g + wd·p; b ← μ·b + (1-τ)·g
 * (b ← g on the first step); g ← g + μ·b if Nesterov else b; p ← p - lr·g. Defaults: momentum 0,
 * dampening 0, weight decay 0, no Nesterov.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    private SGD(Builder b) {
        super(b.params, b.lr);
        this.momentum = b.momentum;
        this.dampening = b.dampening;
        this.weightDecay = b.weightDecay;
        this.nesterov = b.nesterov;
    }

    public static Builder builder(List<Tensor> params, double lr) {
        return new Builder(params, lr);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> s) {
        Tensor buf = s.get("momentum_buffer");
        if (momentum != 0 && buf != null) {  // every step but the first: one fused pass
            p.sgdMomentumInPlace(grad, buf, lr(), momentum, dampening, weightDecay, nesterov);
            return;
        }
        Tensor g = weightDecay != 0 ? grad.add(p, weightDecay) : grad;
        if (momentum != 0) {
            buf = g.clone();
            s.put("momentum_buffer", buf);
            g = nesterov ? g.add(buf, momentum) : buf;
        }
        p.addInPlace(g, -lr());
    }

    @Override
    public Map<String, Object> hyperparameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lr", lr());
        h.put("momentum", momentum);
        h.put("dampening", dampening);
        h.put("weight_decay", weightDecay);
        h.put("nesterov", nesterov);
        return h;
    }

    /** Validates in {@link #build()}. */
    public static final class Builder {
        private final List<Tensor> params;
        private final double lr;
        private double momentum;
        private double dampening;
        private double weightDecay;
        private boolean nesterov;

        private Builder(List<Tensor> params, double lr) {
            this.params = params;
            this.lr = lr;
        }

        public Builder momentum(double m) {
            momentum = m;
            return this;
        }

        public Builder dampening(double d) {
            dampening = d;
            return this;
        }

        public Builder weightDecay(double wd) {
            weightDecay = wd;
            return this;
        }

        public Builder nesterov(boolean n) {
            nesterov = n;
            return this;
        }

        public SGD build() {
            if (momentum < 0) {
                throw new IllegalArgumentException("Invalid momentum value: " + momentum);
            }
            if (weightDecay < 0) {
                throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay);
            }
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
            }
            return new SGD(this);
        }
    }
}
