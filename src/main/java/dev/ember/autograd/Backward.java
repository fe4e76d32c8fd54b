package dev.ember.autograd;

import dev.ember.tensor.Tensor;

/**
 * One op's backward rule: given the gradient of its output, the gradients of its inputs (null for an
 * input that needs none). Rules live in {@link Derivatives}; shapes are reduced to the inputs'
 * shapes by the engine, so a rule may return a broadcast-shaped gradient.
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOutput, Node node);
}
