package dev.ember.spark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.DatasetInfo;
import dev.ember.data.ImageShape;
import dev.ember.data.InMemoryImageDataset;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.TestData;
import dev.ember.data.importers.ImageFolderImporter;
import dev.ember.data.importers.ImageTree;
import dev.ember.data.importers.ImportTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple4;

/** The same datasets read through Spark ({@code local[2]}) and without it must give identical pixels and labels. */
class SparkImageRowsTest {
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("SparkImageRowsTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "3")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Per row of every partition: (key column, label, CHW uint8 pixels, partition-local CHW floats). */
    private static List<Tuple4<String, Integer, byte[], float[]>> readThroughSpark(Dataset<Row> frame, String key,
                                                                                List<String> classes) {
        FlatMapFunction<java.util.Iterator<Row>, Tuple4<String, Integer, byte[], float[]>> decode = rows -> {
            List<Row> list = new ArrayList<>();
            rows.forEachRemaining(list::add);
            InMemoryImageDataset part = SparkImageRows.toDataset(list.iterator(), classes);
            List<Tuple4<String, Integer, byte[], float[]>> out = new ArrayList<>();
            for (int i = 0; i < part.size(); i++) {
                ImageShape shape = part.shape(i);
                byte[] pixels = new byte[shape.numel()];
                float[] floats = new float[shape.numel()];
                part.readPixels(i, pixels, 0);
                part.readImage(i, floats, 0);
                out.add(new Tuple4<>(list.get(i).getAs(key), part.label(i), pixels, floats));
            }
            return out.iterator();
        };
        return frame.javaRDD().mapPartitions(decode).collect();
    }

    private static void assertSameAsPlainReader(Path dir, String key, Dataset<Row> frame) throws IOException {
        List<String> classes = DatasetInfo.read(dir).classNames();
        ParquetImageDataset plain = ParquetImageDataset.open(dir);
        List<String> keys = TestData.readStrings(dir, key);
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            indexOf.put(keys.get(i), i);
        }
        List<Tuple4<String, Integer, byte[], float[]>> rows = readThroughSpark(frame, key, classes);
        assertEquals(plain.size(), rows.size());
        for (Tuple4<String, Integer, byte[], float[]> row : rows) {
            int i = indexOf.get(row._1());
            assertEquals(plain.label(i), row._2(), row._1());
            byte[] pixels = new byte[plain.shape(i).numel()];
            plain.readPixels(i, pixels, 0);
            assertArrayEquals(pixels, row._3(), row._1());
            float[] floats = new float[pixels.length];
            plain.readImage(i, floats, 0);
            assertArrayEquals(floats, row._4(), row._1());
        }
    }

    @Test
    void committedDigitsReadTheSameThroughSparkInSeveralPartitions() throws IOException {
        Path val = TestData.DIGITS.resolve("val");
        Dataset<Row> frame = spark.read().parquet(val.toString()).repartition(3);
        assertEquals(3, frame.javaRDD().getNumPartitions());
        assertSameAsPlainReader(val, "id", frame);
    }

    @Test
    void pngAndJpegFilesOfMixedSizesDecodeTheSameInSpark() throws IOException {
        ImageTree tree = ImageTree.write(tmp.resolve("tree"));
        Path keep = tmp.resolve("keep");
        ImageFolderImporter.builder(tree.root()).storage(ImageFolderImporter.Storage.KEEP).build().importTo(ImportTarget.of(keep));
        assertSameAsPlainReader(keep, "path", spark.read().parquet(keep.toString()));
        Path raw = tmp.resolve("raw");
        ImageFolderImporter.builder(tree.root()).build().importTo(ImportTarget.of(raw));
        assertSameAsPlainReader(raw, "path", spark.read().parquet(raw.toString()));
    }

    @Test
    void mistypedColumnsAndBadLabelsAreReportedLikeThePlainReader() {
        Dataset<Row> digits = spark.read().parquet(TestData.DIGITS.resolve("val").toString()).limit(3);
        List<Row> longLabels = digits.withColumn("label", functions.col("label").cast("long")).collectAsList();
        DatasetFormatException mistyped = assertThrows(DatasetFormatException.class,
                () -> SparkImageRows.toDataset(longLabels.iterator(), TestData.DIGIT_CLASSES));
        assertEquals("Spark rows: column 'label' has type bigint; expected INT32", mistyped.getMessage());

        List<Row> noLabel = digits.drop("label").collectAsList();
        assertTrue(assertThrows(DatasetFormatException.class, () -> SparkImageRows.toDataset(noLabel.iterator(), TestData.DIGIT_CLASSES))
                .getMessage().startsWith("Spark rows: missing required column 'label' (INT32); columns present: [image, encoding,"));

        List<Row> twelve = digits.withColumn("label", functions.lit(12)).collectAsList();
        assertEquals("Spark rows row 0 column 'label': label 12 is out of range; expected 0..9 for 10 classes",
                assertThrows(DatasetFormatException.class, () -> SparkImageRows.toDataset(twelve.iterator(), TestData.DIGIT_CLASSES))
                        .getMessage());
    }

    @Test
    void errorsInsideATaskNameThePartition() {
        Dataset<Row> bad = spark.read().parquet(TestData.DIGITS.resolve("val").toString()).limit(2)
                .withColumn("height", functions.lit(27)).coalesce(1);
        SparkException e = assertThrows(SparkException.class, () -> readThroughSpark(bad, "id", TestData.DIGIT_CLASSES));
        assertTrue(e.getMessage().contains("Spark partition 0 row 0 column 'image': 784 bytes of raw pixels; expected height x width"
                + " x channels = 27 x 28 x 1 = 756"), e.getMessage());
    }

    @Test
    void anEmptyPartitionGivesAnEmptyDataset() {
        assertEquals(0, SparkImageRows.toDataset(java.util.Collections.emptyIterator(), TestData.DIGIT_CLASSES).size());
    }
}
