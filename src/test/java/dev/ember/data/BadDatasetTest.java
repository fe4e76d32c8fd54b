package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a dataset directory can be wrong gives a message naming the file, row and column. */
class BadDatasetTest {
    private static final Map<String, String> TEN_CLASSES = new DatasetMetadata(TestData.DIGIT_CLASSES).toKeyValue();

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("part-00000.parquet");
    }

    private String open() {
        return assertThrows(DatasetFormatException.class, () -> ParquetImageDataset.open(tmp)).getMessage();
    }

    private void write(String schema, Map<String, String> kv, List<Map<String, Object>> rows) throws IOException {
        TestData.writeRows(file(), schema, kv, rows);
    }

    @Test
    void missingColumn() throws IOException {
        write("message m { required binary image; required binary encoding (STRING); required int32 height;"
                + " required int32 width; required int32 channels; }", TEN_CLASSES, List.of());
        assertEquals(file() + ": missing required column 'label' (INT32); columns present: [image, encoding, height, width, channels]",
                open());
    }

    @Test
    void mistypedColumn() throws IOException {
        write(TestData.IMAGE_SCHEMA.replace("int32 label", "int64 label"), TEN_CLASSES, List.of());
        assertEquals(file() + ": column 'label' has type INT64; expected INT32", open());
    }

    @Test
    void encodingMustBeAString() throws IOException {
        write(TestData.IMAGE_SCHEMA.replace("binary encoding (STRING)", "binary encoding"), TEN_CLASSES, List.of());
        assertEquals(file() + ": column 'encoding' has type BINARY; expected STRING", open());
    }

    @Test
    void labelOutOfRange() throws IOException {
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(TestData.rawRow(3), TestData.rawRow(10)));
        assertEquals(file() + " row 1 column 'label': label 10 is out of range; expected 0..9 for 10 classes", open());
    }

    @Test
    void negativeLabel() throws IOException {
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(TestData.rawRow(-1)));
        assertEquals(file() + " row 0 column 'label': label -1 is out of range; expected 0..9 for 10 classes", open());
    }

    @Test
    void rawPixelCountDoesNotMatchTheSize() throws IOException {
        Map<String, Object> row = new HashMap<>(TestData.rawRow(1));
        row.put(ImageSchema.HEIGHT, 28);
        row.put(ImageSchema.WIDTH, 28);
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(TestData.rawRow(1), row));
        assertEquals(file() + " row 1 column 'image': 4 bytes of raw pixels; expected height x width x channels = 28 x 28 x 1 = 784",
                open());
    }

    @Test
    void imageBytesThatDoNotDecode() throws IOException {
        Map<String, Object> row = new HashMap<>(TestData.rawRow(1));
        row.put(ImageSchema.ENCODING, "png");
        row.put(ImageSchema.IMAGE, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(row));
        String message = open();
        assertTrue(message.startsWith(file() + " row 0 column 'image': 7 bytes do not decode as PNG ("), message);
    }

    @Test
    void unknownEncoding() throws IOException {
        Map<String, Object> row = new HashMap<>(TestData.rawRow(1));
        row.put(ImageSchema.ENCODING, "gif");
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(row));
        assertEquals(file() + " row 0 column 'encoding': unknown encoding 'gif'; expected one of raw, png, jpeg", open());
    }

    @Test
    void unsupportedChannelCount() throws IOException {
        Map<String, Object> row = new HashMap<>(TestData.rawRow(1));
        row.put(ImageSchema.CHANNELS, 4);
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(row));
        assertEquals(file() + " row 0 column 'channels': 4 channels; expected 1 or 3", open());
    }

    @Test
    void nullInARequiredColumn() throws IOException {
        // Spark writes every column as optional; a null must still be caught, by column.
        String optional = TestData.IMAGE_SCHEMA.replace("required int32 label", "optional int32 label");
        Map<String, Object> row = new HashMap<>(TestData.rawRow(1));
        row.remove(ImageSchema.LABEL);
        write(optional, TEN_CLASSES, List.of(TestData.rawRow(2), row));
        assertEquals(file() + " row 1 column 'label': null; the column is required", open());
    }

    @Test
    void missingClassMetadata() throws IOException {
        write(TestData.IMAGE_SCHEMA, Map.of(), List.of(TestData.rawRow(1)));
        assertEquals(file() + ": no key-value metadata 'ember.classes' (a JSON array of class names); files written by Spark"
                + " lose it, re-write the dataset with ParquetImageWriter", open());
    }

    @Test
    void classCountDisagreesWithTheNames() throws IOException {
        Map<String, String> kv = new HashMap<>(TEN_CLASSES);
        kv.put(DatasetMetadata.NUM_CLASSES_KEY, "11");
        write(TestData.IMAGE_SCHEMA, kv, List.of(TestData.rawRow(1)));
        assertEquals(file() + ": key-value metadata 'ember.num_classes' is 11 but 'ember.classes' has 10 names", open());
    }

    @Test
    void filesThatDisagreeOnTheClasses() throws IOException {
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of(TestData.rawRow(1)));
        Path second = tmp.resolve("part-00001.parquet");
        TestData.writeRows(second, TestData.IMAGE_SCHEMA, new DatasetMetadata(List.of("a", "b")).toKeyValue(),
                List.of(TestData.rawRow(1)));
        assertEquals(second + ": class names [a, b] differ from " + TestData.DIGIT_CLASSES + " in " + file(), open());
    }

    @Test
    void emptyDirectoryAndFilesWithoutRows() throws IOException {
        assertEquals(tmp + ": dataset is empty (no .parquet files in the directory)", open());
        Files.writeString(tmp.resolve("_SUCCESS"), "");
        assertEquals(tmp + ": dataset is empty (no .parquet files in the directory)", open(), "Spark's markers are not data");
        write(TestData.IMAGE_SCHEMA, TEN_CLASSES, List.of());
        assertEquals(tmp + ": dataset is empty (1 Parquet file(s), no rows)", open());
        assertEquals(tmp.resolve("none") + ": no such dataset directory or Parquet file",
                assertThrows(DatasetFormatException.class, () -> ParquetImageDataset.open(tmp.resolve("none"))).getMessage());
    }

    @Test
    void aFileThatIsNotParquet() throws IOException {
        Files.writeString(file(), "not parquet at all");
        String message = open();
        assertTrue(message.startsWith(file() + ": not a readable Parquet file ("), message);
    }
}
