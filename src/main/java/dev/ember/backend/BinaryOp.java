package dev.ember.backend;

/**
 * Elementwise ops of two tensors of the same (already broadcast) shape. RELU_BACKWARD is PyTorch's
 * {@code threshold_backward(x, y, 0)}: x where y > 0 (or y is NaN), else 0 — ReLU's backward in one
 * pass over the gradient x and the saved output y.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, RELU_BACKWARD,
    EQ, NE, LT, LE, GT, GE;

    /** Comparisons produce BOOL. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
