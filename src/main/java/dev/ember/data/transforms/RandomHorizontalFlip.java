package dev.ember.data.transforms;

import java.util.random.RandomGenerator;

/** Mirrors the image left-right, in place, with probability {@code p}, as torchvision's {@code RandomHorizontalFlip}. */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    /** Flips with probability 0.5. */
    public RandomHorizontalFlip() {
        this(0.5);
    }

    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    /** Random unless it always or never flips. */
    @Override
    public boolean isRandom() {
        return p > 0 && p < 1;
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        if (random.nextDouble() >= p) {
            return image;
        }
        float[] d = image.data();
        int w = image.width();
        for (int row = 0, rows = image.channels() * image.height(); row < rows; row++) {
            for (int i = row * w, j = i + w - 1; i < j; i++, j--) {
                float t = d[i];
                d[i] = d[j];
                d[j] = t;
            }
        }
        return image;
    }
}
