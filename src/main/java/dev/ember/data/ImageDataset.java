package dev.ember.data;

import java.util.List;

/**
 * A labelled image dataset with random access by index, {@code 0 <= index < size()}. Images are
 * delivered in CHW order; {@link #readImage} yields floats {@code pixel / 255f} (what torchvision's
 * {@code ToTensor} gives), {@link #readPixels} the uint8 values.
 */
public interface ImageDataset {
    int size();

    /** Class names in label order: label {@code i} is {@code classNames().get(i)}. */
    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    /** The class index of image {@code index}, {@code 0 <= label < numClasses()}. */
    int label(int index);

    /** The shape of image {@code index}; datasets may hold images of different sizes. */
    ImageShape shape(int index);

    /**
     * Writes image {@code index} as {@code pixel / 255f}, CHW, into
     * {@code dst[dstOffset .. dstOffset + shape(index).numel())}.
     */
    void readImage(int index, float[] dst, int dstOffset);

    /** Writes image {@code index} as uint8, CHW, into {@code dst[dstOffset .. dstOffset + shape(index).numel())}. */
    void readPixels(int index, byte[] dst, int dstOffset);

    /** Where image {@code index} came from (file and row), for error messages. */
    default String locate(int index) {
        return "image " + index;
    }
}
