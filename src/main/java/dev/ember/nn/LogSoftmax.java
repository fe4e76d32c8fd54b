package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Log-softmax along a dim; pairs with {@code NLLLoss}. */
public final class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
