package dev.ember.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;

/**
 * An image dataset directory (see {@code docs/dataset-format.md}) read with plain-Java Parquet,
 * without Spark. {@link #open} reads every file and decodes every image into an
 * {@link InMemoryImageDataset} (uint8, CHW): random access for shuffled minibatches is then a
 * memory copy. PNG/JPEG rows are decoded once, at open.
 */
public final class ParquetImageDataset implements ImageDataset {
    private final DatasetInfo info;
    private final InMemoryImageDataset images;

    private ParquetImageDataset(DatasetInfo info, InMemoryImageDataset images) {
        this.info = info;
        this.images = images;
    }

    /**
     * Reads a dataset directory (or a single Parquet file).
     *
     * @throws DatasetFormatException naming the file, row and column of the first invalid value
     */
    public static ParquetImageDataset open(Path directory) {
        DatasetInfo info = DatasetInfo.read(directory);
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(info.classNames()).expectRows(info.rows());
        for (Path file : info.files()) {
            builder.beginSource(file.toString());
            readFile(file, builder);
        }
        return new ParquetImageDataset(info, builder.build());
    }

    // Reads columns directly (no record assembly): the schema is flat and this is the hot loop.
    private static void readFile(Path file, InMemoryImageDataset.Builder builder) {
        try (ParquetFileReader reader = ParquetIo.open(file)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                ColumnReadStoreImpl columns = new ColumnReadStoreImpl(rowGroup, new IgnoringConverter(), schema, createdBy);
                Column image = new Column(columns, schema, ImageSchema.IMAGE);
                Column encoding = new Column(columns, schema, ImageSchema.ENCODING);
                Column height = new Column(columns, schema, ImageSchema.HEIGHT);
                Column width = new Column(columns, schema, ImageSchema.WIDTH);
                Column channels = new Column(columns, schema, ImageSchema.CHANNELS);
                Column label = new Column(columns, schema, ImageSchema.LABEL);
                for (long row = 0; row < rowGroup.getRowCount(); row++) {
                    builder.addRow(image.bytes(), encoding.string(), height.integer(), width.integer(), channels.integer(),
                            label.integer());
                }
            }
        } catch (IOException | org.apache.parquet.ParquetRuntimeException e) {
            throw ParquetIo.unreadable(file, e);
        }
    }

    /** One flat column of a row group; each getter returns the current row's value (null when undefined) and advances. */
    private static final class Column {
        private final ColumnReader reader;
        private final int maxDefinitionLevel;

        Column(ColumnReadStoreImpl columns, MessageType schema, String name) {
            ColumnDescriptor descriptor = schema.getColumnDescription(new String[] {name});
            this.reader = columns.getColumnReader(descriptor);
            this.maxDefinitionLevel = descriptor.getMaxDefinitionLevel();
        }

        private boolean defined() {
            return reader.getCurrentDefinitionLevel() == maxDefinitionLevel;
        }

        byte[] bytes() {
            byte[] value = defined() ? reader.getBinary().getBytesUnsafe() : null;
            reader.consume();
            return value;
        }

        String string() {
            String value = defined() ? reader.getBinary().toStringUsingUTF8() : null;
            reader.consume();
            return value;
        }

        Integer integer() {
            Integer value = defined() ? reader.getInteger() : null;
            reader.consume();
            return value;
        }
    }

    // ColumnReadStoreImpl insists on a converter tree even when values are pulled with getters.
    private static final class IgnoringConverter extends GroupConverter {
        @Override
        public Converter getConverter(int fieldIndex) {
            return new PrimitiveConverter() {};
        }

        @Override
        public void start() {}

        @Override
        public void end() {}
    }

    /** The files, class names and row count read from the footers. */
    public DatasetInfo info() {
        return info;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public List<String> classNames() {
        return images.classNames();
    }

    @Override
    public int label(int index) {
        return images.label(index);
    }

    @Override
    public ImageShape shape(int index) {
        return images.shape(index);
    }

    @Override
    public void readImage(int index, float[] dst, int dstOffset) {
        images.readImage(index, dst, dstOffset);
    }

    @Override
    public void readPixels(int index, byte[] dst, int dstOffset) {
        images.readPixels(index, dst, dstOffset);
    }

    @Override
    public String locate(int index) {
        return images.locate(index);
    }
}
