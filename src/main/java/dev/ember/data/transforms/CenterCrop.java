package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.random.RandomGenerator;

/**
 * The central {@code height x width} window, as torchvision's {@code CenterCrop}: the top offset is
 * {@code round((H - height) / 2)} with Python's half-to-even rounding, and a crop larger than the
 * image pads it with zeros ({@code (height - H) / 2} rows above, the rest below; likewise for columns).
 */
public final class CenterCrop implements Transform {
    private final int height;
    private final int width;

    public CenterCrop(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("CenterCrop size must be positive, got " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public ImageShape outputShape(ImageShape input) {
        return new ImageShape(input.channels(), height, width);
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        return Sampling.crop(image, offset(image.height(), height), offset(image.width(), width), height, width);
    }

    private static int offset(int size, int crop) {
        return crop > size ? -((crop - size) / 2) : (int) Math.rint((size - crop) / 2.0);
    }
}
