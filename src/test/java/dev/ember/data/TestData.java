package dev.ember.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Shared test fixtures: the committed digits, random images, and Parquet files with any schema (valid or not). */
public final class TestData {
    /** The embedded default dataset, relative to the repository root where Maven runs tests. */
    public static final Path DIGITS = Path.of("data", "digits");

    /** The schema Ember writes, as text, for tests that write rows by hand. */
    public static final String IMAGE_SCHEMA = ImageSchema.parquetSchema().toString();

    public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private TestData() {}

    /** {@code h * w * c} random bytes. */
    public static byte[] randomPixels(Random random, int h, int w, int c) {
        byte[] pixels = new byte[h * w * c];
        random.nextBytes(pixels);
        return pixels;
    }

    /**
     * Writes one Parquet file with {@code schema} and footer metadata {@code keyValue}; each row maps
     * column names to values (byte[], String, Integer or Long); absent columns stay null.
     */
    public static void writeRows(Path file, String schema, Map<String, String> keyValue, List<Map<String, Object>> rows)
            throws IOException {
        MessageType type = MessageTypeParser.parseMessageType(schema);
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(type)
                .withExtraMetaData(keyValue)
                .build()) {
            for (Map<String, Object> row : rows) {
                Group group = groups.newGroup();
                row.forEach((name, value) -> {
                    if (value instanceof byte[] bytes) {
                        group.append(name, Binary.fromConstantByteArray(bytes));
                    } else if (value instanceof String s) {
                        group.append(name, s);
                    } else if (value instanceof Integer i) {
                        group.append(name, i);
                    } else if (value instanceof Long l) {
                        group.append(name, l);
                    } else if (value instanceof Double d) {
                        group.append(name, d);
                    } else {
                        throw new IllegalArgumentException("unsupported test value " + value);
                    }
                });
                writer.write(group);
            }
        }
    }

    /** A valid raw row of a 2x2 grey image with the given label. */
    public static Map<String, Object> rawRow(int label) {
        return Map.of(ImageSchema.IMAGE, new byte[] {1, 2, 3, 4}, ImageSchema.ENCODING, "raw", ImageSchema.HEIGHT, 2,
                ImageSchema.WIDTH, 2, ImageSchema.CHANNELS, 1, ImageSchema.LABEL, label);
    }

    /** The string column {@code column} of every row of a dataset, in file and row order (null where unset). */
    public static List<String> readStrings(Path dataset, String column) throws IOException {
        List<String> values = new ArrayList<>();
        for (Path file : DatasetInfo.read(dataset).files()) {
            try (ParquetReader<Group> reader = new GroupReaderBuilder(new LocalInputFile(file))
                    .withConf(new PlainParquetConfiguration()).build()) {
                for (Group row = reader.read(); row != null; row = reader.read()) {
                    values.add(row.getFieldRepetitionCount(column) == 0 ? null : row.getString(column, 0));
                }
            }
        }
        return values;
    }

    private static final class GroupReaderBuilder extends ParquetReader.Builder<Group> {
        GroupReaderBuilder(LocalInputFile file) {
            super(file);
        }

        @Override
        protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
        }
    }

    /** The entries of {@code dir} (names), to check that nothing was left behind. */
    public static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
