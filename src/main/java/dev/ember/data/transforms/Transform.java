package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One step of an image pipeline on CHW float images, like a torchvision transform.
 *
 * <p>Randomness comes only from the {@link RandomGenerator} passed to {@link #apply}; transforms hold
 * no generator of their own, so a pipeline is deterministic given the generator's seed, and the
 * same transform object can serve many threads. {@link dev.ember.data.DataLoader} gives every sample
 * its own generator seeded from (loader seed, epoch, sample index), which makes augmentation
 * independent of batch order and thread count.
 *
 * <p>A transform may overwrite its input's {@code data} and return the same object (Normalize and
 * RandomHorizontalFlip do): pass images the pipeline owns.
 */
public interface Transform {
    /** Transforms {@code image}, drawing any random choices from {@code random}. */
    FloatImage apply(FloatImage image, RandomGenerator random);

    /** {@link #apply(FloatImage, RandomGenerator)} with a fresh generator seeded by {@code seed}. */
    default FloatImage apply(FloatImage image, long seed) {
        return apply(image, new SplittableRandom(seed));
    }

    /**
     * The shape of the output for an input of shape {@code input}; the same for every random
     * choice. Lets a loader size its batches, and check the pipeline, before reading any image.
     *
     * @throws IllegalArgumentException when the transform cannot take that input (e.g. Normalize with a wrong channel count)
     */
    default ImageShape outputShape(ImageShape input) {
        return input;
    }

    /**
     * Whether {@link #apply} draws from its generator, so that the same image comes out differently
     * from epoch to epoch (augmentation). A trainer may only cache what a model computes from the
     * images when their pipeline is not random.
     */
    default boolean isRandom() {
        return false;
    }
}
