package dev.ember.data.transforms;

import java.util.random.RandomGenerator;

/**
 * Rotates about the image centre by an angle drawn uniformly from {@code [minDegrees, maxDegrees]};
 * positive angles turn the image counter-clockwise as seen on screen (torchvision's convention).
 * The output keeps the input size; pixels that come from outside the image are zero. Sampling is
 * bilinear (torchvision defaults to nearest; bilinear keeps thin strokes of small digits intact).
 */
public final class RandomRotation implements Transform {
    private final double minDegrees;
    private final double maxDegrees;

    /** Angles in {@code [-degrees, degrees]}. */
    public RandomRotation(double degrees) {
        this(-degrees, degrees);
    }

    public RandomRotation(double minDegrees, double maxDegrees) {
        if (!(minDegrees <= maxDegrees) || minDegrees < -180 || maxDegrees > 180) {
            throw new IllegalArgumentException("rotation range must satisfy -180 <= min <= max <= 180, got ["
                    + minDegrees + ", " + maxDegrees + "]");
        }
        this.minDegrees = minDegrees;
        this.maxDegrees = maxDegrees;
    }

    /** Random unless the range is one angle. */
    @Override
    public boolean isRandom() {
        return minDegrees != maxDegrees;
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        double degrees = minDegrees == maxDegrees ? minDegrees : random.nextDouble(minDegrees, maxDegrees);
        return rotate(image, degrees);
    }

    /** {@code image} turned counter-clockwise by {@code degrees} about its centre. */
    public static FloatImage rotate(FloatImage image, double degrees) {
        double radians = Math.toRadians(degrees);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        // Angles that are multiples of 90 degrees map pixels onto pixels; snap away float noise.
        cos = Math.rint(cos * 1e12) / 1e12;
        sin = Math.rint(sin * 1e12) / 1e12;
        int h = image.height();
        int w = image.width();
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        float[] out = new float[image.data().length];
        for (int c = 0; c < image.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // Inverse map (y axis down): the source of output (x, y) is (x, y) turned clockwise.
                    double dx = x - cx;
                    double dy = y - cy;
                    double sx = cx + dx * cos - dy * sin;
                    double sy = cy + dx * sin + dy * cos;
                    out[(c * h + y) * w + x] = Sampling.sample(image, c, sy, sx);
                }
            }
        }
        return new FloatImage(out, image.channels(), h, w);
    }
}
