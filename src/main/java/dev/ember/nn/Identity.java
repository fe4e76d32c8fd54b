package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Returns its input (a placeholder, e.g. for a removed head). */
public final class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
