package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Softmax along a dim (scores [N, C] use dim 1). */
public final class Softmax extends Module {
    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
