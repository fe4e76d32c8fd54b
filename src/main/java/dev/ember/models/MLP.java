package dev.ember.models;

import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;

/**
 * A multi-layer perceptron: {@code flatten → fc1 → relu1 → [dropout1] → fc2 → … → fcK}, with ReLU
 * (and optional dropout) after every layer but the last, which returns logits. {@code new MLP(784,
 * 256, 10)} is the classic MNIST net: state keys {@code fc1.weight [256, 784]}, {@code fc1.bias},
 * {@code fc2.weight [10, 256]}, {@code fc2.bias}. The input is flattened from dim 1, so [N, 1, 28, 28]
 * images and [N, 784] rows both work. PyTorch's default Linear init.
 */
public final class MLP extends NamedSequential {
    private final int[] sizes;

    /** Layer widths from input to output, e.g. {@code 784, 256, 10}; at least two. */
    public MLP(int... sizes) {
        this(0.0, sizes);
    }

    /** As {@link #MLP(int...)}, with dropout of probability {@code dropout} after each hidden ReLU (none when 0). */
    public MLP(double dropout, int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("MLP needs at least an input and an output size, got "
                    + java.util.Arrays.toString(sizes));
        }
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("MLP sizes must be positive, got " + java.util.Arrays.toString(sizes));
            }
        }
        this.sizes = sizes.clone();
        add("flatten", new Flatten());
        for (int i = 1; i < sizes.length; i++) {
            add("fc" + i, new Linear(sizes[i - 1], sizes[i]));
            if (i < sizes.length - 1) {
                add("relu" + i, new ReLU());
                if (dropout > 0) {
                    add("dropout" + i, new Dropout(dropout));
                }
            }
        }
    }

    /** Layer widths, input first. */
    public int[] sizes() {
        return sizes.clone();
    }
}
