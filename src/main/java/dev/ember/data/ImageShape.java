package dev.ember.data;

/** The shape of one image in CHW order: channels, height, width (all positive). */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image shape " + channels + "x" + height + "x" + width + " has more than 2^31-1 values");
        }
    }

    /** Number of values in one image, {@code channels * height * width}. */
    public int numel() {
        return channels * height * width;
    }

    /** {@code CxHxW}, e.g. {@code 1x28x28}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
