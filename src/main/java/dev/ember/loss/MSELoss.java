package dev.ember.loss;

import dev.ember.nn.functional.F;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;

/** Mean squared error between equal-shaped input and target. */
public record MSELoss(Reduction reduction) implements Loss {
    public MSELoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
