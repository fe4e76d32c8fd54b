package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Zeroes elements with probability p in training and scales the rest by 1/(1-p); identity in eval. */
public final class Dropout extends Module {
    private final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public boolean isDeterministicPerSample() {
        return p == 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.ember.nn.functional.F.dropout(x, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + pyFloat(p) + ", inplace=False";
    }
}
