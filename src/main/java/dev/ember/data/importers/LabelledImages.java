package dev.ember.data.importers;

import dev.ember.data.ImageRecord;
import java.util.Arrays;

/**
 * Same-sized uint8 images held in memory by the importers of array formats (IDX, mnist JSON).
 *
 * @param pixels   {@code size * height * width * channels} bytes: image {@code i} is HWC at {@code i * height * width * channels}
 * @param labels   class index of each image
 * @param ids      identifier of each image in its source (written to the {@code id} column)
 */
public record LabelledImages(byte[] pixels, int[] labels, String[] ids, int height, int width, int channels) {
    public LabelledImages {
        if (ids.length != labels.length || (long) labels.length * height * width * channels != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels, " + ids.length + " ids and " + pixels.length
                    + " bytes do not describe images of " + height + "x" + width + "x" + channels);
        }
    }

    public int size() {
        return labels.length;
    }

    /** Image {@code i} as a RAW row (a copy of its pixels). */
    public ImageRecord record(int i) {
        int n = height * width * channels;
        byte[] hwc = Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
        return ImageRecord.raw(hwc, height, width, channels, labels[i]).withId(ids[i]);
    }
}
