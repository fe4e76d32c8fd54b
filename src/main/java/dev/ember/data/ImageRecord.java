package dev.ember.data;

import java.util.Objects;

/**
 * One row of an image dataset, as written by {@link ParquetImageWriter}.
 *
 * @param image    RAW: uint8 pixels in HWC order, {@code height * width * channels} bytes; PNG/JPEG: the file's bytes
 * @param encoding how {@code image} stores the pixels
 * @param height   image height in pixels
 * @param width    image width in pixels
 * @param channels 1 (grey) or 3 (RGB); for PNG/JPEG the decoded image is converted to this count
 * @param label    class index, {@code 0 <= label < numClasses}
 * @param id       a stable identifier of the source record, or null
 * @param path     the source file relative to the import root, or null
 */
public record ImageRecord(byte[] image, ImageEncoding encoding, int height, int width, int channels, int label,
                          String id, String path) {
    public ImageRecord {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(encoding, "encoding");
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be non-negative, got " + label);
        }
        if (encoding == ImageEncoding.RAW && (long) height * width * channels != image.length) {
            throw new IllegalArgumentException("raw image of " + height + "x" + width + "x" + channels + " needs "
                    + (long) height * width * channels + " bytes, got " + image.length);
        }
    }

    /** A row of raw HWC uint8 pixels; {@code hwc.length} must be {@code height * width * channels}. */
    public static ImageRecord raw(byte[] hwc, int height, int width, int channels, int label) {
        return new ImageRecord(hwc, ImageEncoding.RAW, height, width, channels, label, null, null);
    }

    /** A row holding an encoded PNG or JPEG file; height, width and channels describe the decoded image. */
    public static ImageRecord encoded(byte[] file, ImageEncoding encoding, int height, int width, int channels, int label) {
        return new ImageRecord(file, encoding, height, width, channels, label, null, null);
    }

    public ImageRecord withId(String newId) {
        return new ImageRecord(image, encoding, height, width, channels, label, newId, path);
    }

    public ImageRecord withPath(String newPath) {
        return new ImageRecord(image, encoding, height, width, channels, label, id, newPath);
    }
}
