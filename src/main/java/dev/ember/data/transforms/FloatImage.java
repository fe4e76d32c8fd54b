package dev.ember.data.transforms;

import dev.ember.data.ImageShape;

/**
 * One image as floats in CHW order: {@code data[(c * height + y) * width + x]}, exactly
 * {@code channels * height * width} values. Transforms may overwrite {@code data} (see {@link Transform}).
 */
public record FloatImage(float[] data, int channels, int height, int width) {
    public FloatImage {
        ImageShape shape = new ImageShape(channels, height, width);
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("a " + shape + " image needs " + shape.numel() + " floats, got " + data.length);
        }
    }

    public ImageShape shape() {
        return new ImageShape(channels, height, width);
    }

    /** The value at channel {@code c}, row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
