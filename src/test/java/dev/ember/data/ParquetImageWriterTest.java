package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetImageWriterTest {
    private static final List<String> CLASSES = List.of("cat", "dog", "bird");

    @TempDir
    Path tmp;

    @Test
    void roundTripsRawGreyAndColourImagesAcrossFilesAndRowGroups() {
        Random random = new Random(7);
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            int c = i % 2 == 0 ? 1 : 3;
            records.add(ImageRecord.raw(TestData.randomPixels(random, 5, 4, c), 5, 4, c, i % 3).withId("r" + i));
        }
        Path dir = tmp.resolve("ds");
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).rowsPerFile(10).rowsPerRowGroup(3).build()) {
            records.forEach(writer::write);
            writer.commit();
        }
        ParquetImageDataset dataset = ParquetImageDataset.open(dir);
        assertEquals(List.of("part-00000.parquet", "part-00001.parquet", "part-00002.parquet"),
                dataset.info().files().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(23, dataset.size());
        assertEquals(CLASSES, dataset.classNames());
        for (int i = 0; i < records.size(); i++) {
            ImageRecord expected = records.get(i);
            ImageShape shape = new ImageShape(expected.channels(), 5, 4);
            assertEquals(shape, dataset.shape(i));
            assertEquals(expected.label(), dataset.label(i));
            byte[] chw = new byte[shape.numel()];
            dataset.readPixels(i, chw, 0);
            assertArrayEquals(expected.image(), Pixels.chwToHwc(chw, 0, shape), "image " + i);
            float[] floats = new float[shape.numel() + 2];
            dataset.readImage(i, floats, 2);
            for (int k = 0; k < chw.length; k++) {
                assertEquals((chw[k] & 0xFF) / 255f, floats[k + 2]);
            }
        }
        assertEquals(dir.resolve("part-00001.parquet") + " row 3", dataset.locate(13));
    }

    @Test
    void writesClassNamesIntoEveryFooterAndZstdByDefault() throws IOException {
        Path dir = writeDigits(tmp.resolve("ds"), 4, CompressionCodecName.ZSTD);
        try (ParquetFileReader reader = ParquetFileReader.open(new org.apache.parquet.io.LocalInputFile(dir.resolve("part-00000.parquet")))) {
            Map<String, String> kv = reader.getFooter().getFileMetaData().getKeyValueMetaData();
            assertEquals("[\"cat\",\"dog\",\"bird\"]", kv.get("ember.classes"));
            assertEquals("3", kv.get("ember.num_classes"));
            assertEquals("ember-image/1", kv.get("ember.format"));
            assertEquals(CompressionCodecName.ZSTD, reader.getRowGroups().get(0).getColumns().get(0).getCodec());
        }
    }

    @Test
    void snappyAndUncompressedAlsoWork() {
        for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.UNCOMPRESSED)) {
            Path dir = writeDigits(tmp.resolve(codec.name()), 5, codec);
            assertEquals(5, ParquetImageDataset.open(dir).size());
        }
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        Path dir = tmp.resolve("ds");
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).build()) {
            writer.write(ImageRecord.raw(new byte[4], 2, 2, 1, 0));
            assertEquals(1, TestData.entries(tmp).size(), "only the hidden staging directory exists while writing");
            assertTrue(TestData.entries(tmp).get(0).startsWith(".ds.tmp-"));
        }
        assertEquals(List.of(), TestData.entries(tmp));
    }

    @Test
    void aFailureWhileWritingLeavesNothing() throws IOException {
        Path dir = tmp.resolve("ds");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).build()) {
                writer.write(ImageRecord.raw(new byte[4], 2, 2, 1, 0));
                writer.write(ImageRecord.raw(new byte[4], 2, 2, 1, 3));
                writer.commit();
            }
        });
        assertEquals("row 1: label 3 is out of range; expected 0..2 for 3 classes", e.getMessage());
        assertEquals(List.of(), TestData.entries(tmp));
    }

    @Test
    void refusesAnEmptyDatasetAndAnExistingDestination() throws IOException {
        Path dir = tmp.resolve("ds");
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).build()) {
            DatasetFormatException e = assertThrows(DatasetFormatException.class, writer::commit);
            assertEquals(dir.toAbsolutePath() + ": refusing to write an empty dataset (no rows)", e.getMessage());
        }
        assertFalse(Files.exists(dir));
        writeDigits(dir, 2, CompressionCodecName.ZSTD);
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> ParquetImageWriter.builder(dir, CLASSES).build());
        assertEquals(dir.toAbsolutePath() + " already exists; remove it or allow overwriting (--overwrite on the command line)",
                exists.getMessage());
    }

    @Test
    void overwriteReplacesTheWholeDirectory() throws IOException {
        Path dir = tmp.resolve("ds");
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).rowsPerFile(1).build()) {
            for (int i = 0; i < 3; i++) {
                writer.write(ImageRecord.raw(new byte[4], 2, 2, 1, 0));
            }
            writer.commit();
        }
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).overwrite(true).build()) {
            writer.write(ImageRecord.raw(new byte[] {9, 9, 9, 9}, 2, 2, 1, 2));
            writer.commit();
        }
        assertEquals(List.of("part-00000.parquet"), TestData.entries(dir));
        assertEquals(List.of("ds"), TestData.entries(tmp));
        assertEquals(2, ParquetImageDataset.open(dir).label(0));
    }

    @Test
    void rejectsInvalidRecordsAndSettings() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> ImageRecord.raw(new byte[5], 2, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageRecord.raw(new byte[8], 2, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageRecord.raw(new byte[4], 2, 2, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> ParquetImageWriter.builder(tmp.resolve("x"), CLASSES).rowsPerFile(0).build());
        assertThrows(IllegalArgumentException.class, () -> ParquetImageWriter.builder(tmp.resolve("x"), List.of("a", "a")).build());
        assertThrows(IllegalArgumentException.class,
                () -> ParquetImageWriter.builder(tmp.resolve("x"), CLASSES).compression(CompressionCodecName.LZO).build());
        assertEquals(List.of(), TestData.entries(tmp), "failed builds create nothing");
    }

    private static Path writeDigits(Path dir, int rows, CompressionCodecName codec) {
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, CLASSES).compression(codec).build()) {
            for (int i = 0; i < rows; i++) {
                writer.write(ImageRecord.raw(new byte[] {(byte) i, 2, 3, 4}, 2, 2, 1, i % 3));
            }
            writer.commit();
        }
        return dir;
    }
}
