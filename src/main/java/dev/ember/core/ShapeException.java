package dev.ember.core;

/** A shape, dimension or dtype mistake; the message names the op and the shapes involved. */
public class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}
