package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Elementwise 1 / (1 + exp(-x)). */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
