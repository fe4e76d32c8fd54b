package dev.ember.loss;

import dev.ember.tensor.Tensor;

/** A criterion: (model output, target) → loss, a scalar unless the reduction is NONE. */
@FunctionalInterface
public interface Loss {
    Tensor apply(Tensor input, Tensor target);
}
