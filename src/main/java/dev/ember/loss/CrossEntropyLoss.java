package dev.ember.loss;

import dev.ember.nn.functional.F;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;

/** Cross entropy from logits [N, C] and int64 class targets [N], with optional label smoothing. */
public record CrossEntropyLoss(Reduction reduction, double labelSmoothing) implements Loss {
    public CrossEntropyLoss {
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
    }

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0.0);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, reduction, labelSmoothing);
    }
}
