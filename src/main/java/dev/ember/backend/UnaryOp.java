package dev.ember.backend;

/**
 * Elementwise ops of one tensor. Some take scalar parameters {@code a} (and {@code b}); the
 * parameter use is written beside each. Everything else elementwise (softplus, gelu, …) is
 * composed from these in the Tensor façade.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, TANH, SIGMOID, RELU, SIN, COS, RECIPROCAL,
    /** x + a */
    ADD_SCALAR,
    /** x * a */
    MUL_SCALAR,
    /** x ^ a */
    POW_SCALAR,
    /** a ^ x */
    SCALAR_POW,
    /** min(max(x, a), b); NaN bounds are ignored */
    CLAMP,
    /** x if x > 0 else a * x */
    LEAKY_RELU
}
