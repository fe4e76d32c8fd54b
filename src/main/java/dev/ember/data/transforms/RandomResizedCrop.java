package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.random.RandomGenerator;

/**
 * Crops a random window and resizes it to {@code height x width}, with torchvision's
 * {@code RandomResizedCrop} algorithm: up to 10 tries of an area fraction uniform in
 * {@code [minScale, maxScale]} and an aspect ratio log-uniform in {@code [minRatio, maxRatio]};
 * if none fits, a central crop with the ratio clamped to that range. Resizing is bilinear
 * without antialiasing (see {@link Resize}).
 */
public final class RandomResizedCrop implements Transform {
    private final int height;
    private final int width;
    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;

    /** torchvision's defaults: scale (0.08, 1.0), ratio (3/4, 4/3). */
    public RandomResizedCrop(int height, int width) {
        this(height, width, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    public RandomResizedCrop(int height, int width, double minScale, double maxScale, double minRatio, double maxRatio) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("RandomResizedCrop size must be positive, got " + height + "x" + width);
        }
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("scale range must satisfy 0 < min <= max <= 1, got [" + minScale + ", " + maxScale + "]");
        }
        if (!(minRatio > 0 && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("ratio range must satisfy 0 < min <= max, got [" + minRatio + ", " + maxRatio + "]");
        }
        this.height = height;
        this.width = width;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    @Override
    public ImageShape outputShape(ImageShape input) {
        return new ImageShape(input.channels(), height, width);
    }

    @Override
    public boolean isRandom() {
        return true;
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        int[] window = window(image.height(), image.width(), random);
        FloatImage cropped = Sampling.crop(image, window[0], window[1], window[2], window[3]);
        return Sampling.resize(cropped, height, width);
    }

    /** The crop as {top, left, height, width}, torchvision's {@code get_params}. */
    int[] window(int imageHeight, int imageWidth, RandomGenerator random) {
        double area = (double) imageHeight * imageWidth;
        double logMin = Math.log(minRatio);
        double logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(random, minScale, maxScale);
            double aspect = Math.exp(uniform(random, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (w > 0 && w <= imageWidth && h > 0 && h <= imageHeight) {
                int top = random.nextInt(imageHeight - h + 1);
                int left = random.nextInt(imageWidth - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double inRatio = (double) imageWidth / imageHeight;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = imageWidth;
            h = (int) Math.rint(w / minRatio);
        } else if (inRatio > maxRatio) {
            h = imageHeight;
            w = (int) Math.rint(h * maxRatio);
        } else {
            w = imageWidth;
            h = imageHeight;
        }
        return new int[] {(imageHeight - h) / 2, (imageWidth - w) / 2, h, w};
    }

    private static double uniform(RandomGenerator random, double lo, double hi) {
        return lo == hi ? lo : random.nextDouble(lo, hi);
    }
}
