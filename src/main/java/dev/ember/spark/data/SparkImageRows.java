package dev.ember.spark.data;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.ImageSchema;
import dev.ember.data.InMemoryImageDataset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns the rows of one Spark partition of an Ember image dataset
 * ({@code spark.read().parquet(dir)}) into an {@link InMemoryImageDataset}, with the same
 * validation and decoding as the plain-Java reader ({@link InMemoryImageDataset.Builder#addRow}).
 *
 * <p>Spark's DataFrame reader drops Parquet key-value metadata, so the class names come from the
 * driver: {@code DatasetInfo.read(dir).classNames()}, captured by the partition function.
 *
 * <pre>{@code
 * List<String> classes = DatasetInfo.read(dir).classNames();
 * spark.read().parquet(dir.toString()).javaRDD().mapPartitions(rows -> {
 *     InMemoryImageDataset part = SparkImageRows.toDataset(rows, classes);
 *     ...
 * });
 * }</pre>
 */
public final class SparkImageRows {
    private SparkImageRows() {}

    /**
     * Reads all rows of a partition, in order (image {@code i} is row {@code i}).
     *
     * @param rows       rows that carry their schema (as DataFrame rows do); may be empty
     * @param classNames label {@code i} is {@code classNames.get(i)}
     * @throws DatasetFormatException naming the partition, row and column of the first invalid value
     */
    public static InMemoryImageDataset toDataset(Iterator<Row> rows, List<String> classNames) {
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(classNames);
        String source = sourceName();
        builder.beginSource(source);
        Columns columns = null;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (columns == null) {
                columns = Columns.of(row.schema(), source);
            }
            builder.addRow(row.isNullAt(columns.image) ? null : (byte[]) row.get(columns.image),
                    row.isNullAt(columns.encoding) ? null : row.getString(columns.encoding),
                    integer(row, columns.height), integer(row, columns.width), integer(row, columns.channels),
                    integer(row, columns.label));
        }
        return builder.build();
    }

    private static Integer integer(Row row, int column) {
        return row.isNullAt(column) ? null : row.getInt(column);
    }

    private static String sourceName() {
        TaskContext task = TaskContext.get();
        return task == null ? "Spark rows" : "Spark partition " + task.partitionId();
    }

    /** Field positions of the columns Ember reads, after checking names and types against {@link ImageSchema}. */
    private record Columns(int image, int encoding, int height, int width, int channels, int label) {
        static Columns of(StructType schema, String source) {
            if (schema == null) {
                throw new DatasetFormatException(source + ": rows carry no schema; pass the rows of a DataFrame");
            }
            Map<String, String> types = new LinkedHashMap<>();
            for (StructField field : schema.fields()) {
                types.put(field.name(), typeName(field.dataType()));
            }
            ImageSchema.checkColumns(types, source);
            return new Columns(schema.fieldIndex(ImageSchema.IMAGE), schema.fieldIndex(ImageSchema.ENCODING),
                    schema.fieldIndex(ImageSchema.HEIGHT), schema.fieldIndex(ImageSchema.WIDTH),
                    schema.fieldIndex(ImageSchema.CHANNELS), schema.fieldIndex(ImageSchema.LABEL));
        }

        private static String typeName(DataType type) {
            if (type.equals(DataTypes.BinaryType)) {
                return ImageSchema.BINARY;
            }
            if (type instanceof StringType) { // any collation
                return ImageSchema.STRING;
            }
            if (type.equals(DataTypes.IntegerType)) {
                return ImageSchema.INT32;
            }
            return type.simpleString();
        }
    }
}
