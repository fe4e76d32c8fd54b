package dev.ember.loss;

import dev.ember.nn.functional.F;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;

/** Negative log-likelihood of log-probabilities [N, C] (e.g. from LogSoftmax) at int64 class targets [N]. */
public record NLLLoss(Reduction reduction) implements Loss {
    public NLLLoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.nllLoss(input, target, reduction);
    }
}
