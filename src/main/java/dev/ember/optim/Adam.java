package dev.ember.optim;

import dev.ember.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba, 2015) and, with {@code decoupled}, AdamW (Loshchilov &amp; Hutter, 2019), with
 * PyTorch's update: m ← β1·m + (1-β1)·g; v ← β2·v + (1-β2)·g²; p ← p - (lr/(1-β1^t))·m / (√v/√(1-β2^t) + ε).
 * Adam adds wd·p to the gradient; AdamW scales p by (1 - lr·wd) first. Defaults: lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, weight decay 0 (Adam) or 1e-2 (AdamW).
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;

    protected Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                   boolean decoupled) {
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Invalid beta parameters: (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("Invalid epsilon value: " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    /** One fused pass per parameter where the backend has one (Backend.adam: the same bits as composed). */
    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> s) {
        Tensor step = s.computeIfAbsent("step", k -> Tensor.scalar(0));
        Tensor m = s.computeIfAbsent("exp_avg", k -> Tensor.zerosLike(p));
        Tensor v = s.computeIfAbsent("exp_avg_sq", k -> Tensor.zerosLike(p));
        step.addInPlace(1);
        p.adamInPlace(grad, m, v, lr(), beta1, beta2, eps, weightDecay, decoupled, step.item());
    }

    @Override
    public Map<String, Object> hyperparameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lr", lr());
        h.put("betas", List.of(beta1, beta2));
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        return h;
    }
}
