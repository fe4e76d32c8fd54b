package dev.ember.backend;

/** Elementwise ops of two tensors of the same (already broadcast) shape. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE;

    /** Comparisons produce BOOL. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
