package dev.ember.data.importers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.DatasetInfo;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files made from 100 real digits of the committed dataset. */
class IdxImporterTest {
    private static final int N = 100;
    private static byte[] pixels;
    private static byte[] labels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void takeRealDigits() {
        ParquetImageDataset val = ParquetImageDataset.open(TestData.DIGITS.resolve("val"));
        pixels = new byte[N * 784];
        labels = new byte[N];
        for (int i = 0; i < N; i++) {
            val.readPixels(i, pixels, i * 784);
            labels[i] = (byte) val.label(i);
        }
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private Path goodImages() throws IOException {
        return file("images-idx3-ubyte.gz", Idx.gzip(Idx.images(0x803, N, 28, 28, pixels)));
    }

    private Path goodLabels() throws IOException {
        return file("labels-idx1-ubyte", Idx.labels(0x801, N, labels));
    }

    @Test
    void importsGzippedAndPlainFilesInFileOrder() throws IOException {
        Path out = tmp.resolve("out");
        List<DatasetInfo> written = IdxImporter.importTo(goodImages(), goodLabels(), IdxImporter.MNIST_CLASSES, ImportTarget.of(out));
        assertEquals(N, written.get(0).rows());
        ParquetImageDataset dataset = ParquetImageDataset.open(out);
        assertEquals(IdxImporter.MNIST_CLASSES, dataset.classNames());
        byte[] read = new byte[N * 784];
        for (int i = 0; i < N; i++) {
            dataset.readPixels(i, read, i * 784);
            assertEquals(labels[i], dataset.label(i));
        }
        assertArrayEquals(pixels, read);
    }

    @Test
    void splitsWhenAskedAndKeepsFashionClassNames() throws IOException {
        Path out = tmp.resolve("out");
        List<DatasetInfo> written = IdxImporter.importTo(goodImages(), goodLabels(), IdxImporter.FASHION_MNIST_CLASSES,
                ImportTarget.of(out).withValidationSplit(0.25, 4));
        assertEquals(List.of(75L, 25L), written.stream().map(DatasetInfo::rows).toList());
        assertEquals("Ankle boot", ParquetImageDataset.open(out.resolve("val")).classNames().get(9));
    }

    private String failure(Path images, Path labelFile) {
        return failure(images, labelFile, IdxImporter.MNIST_CLASSES);
    }

    private String failure(Path images, Path labelFile, List<String> classes) {
        Path out = tmp.resolve("out");
        String message = assertThrows(DatasetFormatException.class,
                () -> IdxImporter.importTo(images, labelFile, classes, ImportTarget.of(out))).getMessage();
        assertTrue(Files.notExists(out), "a failed import leaves nothing at the destination");
        return message;
    }

    @Test
    void wrongMagicNumbers() throws IOException {
        Path images = goodImages();
        Path labelFile = goodLabels();
        assertEquals(images + ": magic number 0x00000803; expected 0x00000801 (IDX unsigned bytes, 1 dimension) for a label file",
                failure(labelFile, images));
        Path swappedBytes = file("bad-idx3-ubyte", Idx.images(0x0803_0000, N, 28, 28, pixels));
        assertEquals(swappedBytes + ": magic number 0x08030000; expected 0x00000803 (IDX unsigned bytes, 3 dimensions)"
                + " for an image file", failure(swappedBytes, labelFile));
    }

    @Test
    void countsThatDoNotMatch() throws IOException {
        Path images = goodImages();
        Path fewerLabels = file("few-idx1-ubyte", Idx.labels(0x801, N - 1, Arrays.copyOf(labels, N - 1)));
        assertEquals(images + " holds 100 images but " + fewerLabels + " holds 99 labels; the counts must match",
                failure(images, fewerLabels));
        Path extra = file("extra-idx1-ubyte", Idx.labels(0x801, N - 1, labels));
        assertEquals(extra + " has bytes after the 99 labels its header announces; the count in the header does not match the data",
                failure(images, extra));
    }

    @Test
    void truncatedFiles() throws IOException {
        Path labelFile = goodLabels();
        byte[] whole = Idx.images(0x803, N, 28, 28, pixels);
        Path cut = file("cut-idx3-ubyte", Arrays.copyOf(whole, 16 + 784 * 40 + 5));
        assertEquals(cut + " is truncated: the header announces 100 images of 28x28 (78400 bytes) but the data ends after"
                + " 31365 bytes, in image 40", failure(cut, labelFile));
        Path header = file("header-idx3-ubyte", Arrays.copyOf(whole, 10));
        assertEquals(header + " is truncated: it ends inside the IDX header (row count)", failure(header, labelFile));
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = Idx.gzip(Idx.images(0x803, N, 28, 28, pixels));
        Path cut = file("cut-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length / 2));
        String message = failure(cut, goodLabels());
        assertTrue(message.startsWith(cut + " is truncated: the gzip stream ends early ("), message);
    }

    @Test
    void labelsWithoutAClassName() throws IOException {
        assertTrue(failure(goodImages(), goodLabels(), List.of("a", "b")).startsWith(tmp.resolve("labels-idx1-ubyte") + " record "));
    }
}
