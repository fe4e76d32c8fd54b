package dev.ember.data;

/**
 * A minibatch: {@code images} is {@code [N, C, H, W]} row-major (NCHW) with {@code N = labels.length}
 * and {@code (C, H, W) = shape}; {@code labels} are class indices. Each batch owns fresh arrays,
 * so a tensor may wrap them without copying.
 */
public record Batch(float[] images, long[] labels, ImageShape shape) {
    public Batch {
        if ((long) labels.length * shape.numel() != images.length) {
            throw new IllegalArgumentException(labels.length + " images of " + shape + " need "
                    + (long) labels.length * shape.numel() + " floats, got " + images.length);
        }
    }

    /** The number of images, N. */
    public int size() {
        return labels.length;
    }
}
