package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.random.RandomGenerator;

/**
 * Resizes to exactly {@code height x width} with bilinear interpolation (PyTorch's
 * {@code align_corners=False}, without antialiasing), like torchvision's {@code Resize((h, w))}
 * on tensors with {@code antialias=False}.
 */
public final class Resize implements Transform {
    private final int height;
    private final int width;

    public Resize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Resize size must be positive, got " + height + "x" + width);
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
        return Sampling.resize(image, height, width);
    }
}
