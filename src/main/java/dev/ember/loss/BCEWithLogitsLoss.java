package dev.ember.loss;

import dev.ember.nn.functional.F;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;

/** Binary cross entropy on logits (sigmoid folded in, numerically stable); target in [0, 1], same shape. */
public record BCEWithLogitsLoss(Reduction reduction) implements Loss {
    public BCEWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, reduction);
    }
}
