package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01). */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + pyFloat(negativeSlope);
    }
}
