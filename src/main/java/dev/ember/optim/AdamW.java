package dev.ember.optim;

import dev.ember.tensor.Tensor;

import java.util.List;

/** Adam with decoupled weight decay (Loshchilov &amp; Hutter, 2019); default weight decay 1e-2 as in PyTorch. */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 1e-2);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay, true);
    }
}
