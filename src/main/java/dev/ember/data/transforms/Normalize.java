package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/** {@code (x - mean[c]) / std[c]} per channel, in place, as torchvision's {@code Normalize}. */
public final class Normalize implements Transform {
    private final float[] mean;
    private final float[] std;

    /** One mean and one positive standard deviation per channel. */
    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize needs one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("Normalize std must be positive, got " + Arrays.toString(std));
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public ImageShape outputShape(ImageShape input) {
        if (input.channels() != mean.length) {
            throw new IllegalArgumentException("Normalize has " + mean.length + " means but images have "
                    + input.channels() + " channels (" + input + ")");
        }
        return input;
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        outputShape(image.shape());
        float[] d = image.data();
        int plane = image.height() * image.width();
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            for (int i = c * plane, end = i + plane; i < end; i++) {
                d[i] = (d[i] - m) / s;
            }
        }
        return image;
    }
}
