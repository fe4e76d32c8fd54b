package dev.ember.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Writes an image dataset directory ({@code part-00000.parquet}, {@code part-00001.parquet}, ...;
 * see {@code docs/dataset-format.md}) atomically: files go to a hidden staging sibling that is
 * renamed onto the destination by {@link #commit()}. Closing without committing, or any failure,
 * deletes the staging directory, so the destination is either complete or absent.
 *
 * <pre>{@code
 * try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, classNames).build()) {
 *     for (ImageRecord r : records) writer.write(r);
 *     writer.commit();
 * }
 * }</pre>
 */
public final class ParquetImageWriter implements AutoCloseable {
    private final AtomicDirectory directory;
    private final DatasetMetadata metadata;
    private final CompressionCodecName codec;
    private final int rowsPerFile;
    private final int rowsPerRowGroup;
    private ParquetWriter<ImageRecord> file;
    private int filesWritten;
    private int rowsInFile;
    private long rowsWritten;

    private ParquetImageWriter(Builder b) {
        this.metadata = new DatasetMetadata(b.classNames); // validates the names before anything is created
        this.codec = b.codec;
        this.rowsPerFile = b.rowsPerFile;
        this.rowsPerRowGroup = b.rowsPerRowGroup;
        this.directory = AtomicDirectory.create(b.directory, b.overwrite);
    }

    /** A writer of the dataset at {@code directory} whose labels index {@code classNames}. */
    public static Builder builder(Path directory, List<String> classNames) {
        return new Builder(directory, classNames);
    }

    /**
     * Appends one row.
     *
     * @throws IllegalArgumentException if the label is not below the number of classes
     */
    public void write(ImageRecord record) {
        if (record.label() >= metadata.numClasses()) {
            throw new IllegalArgumentException("row " + rowsWritten + ": label " + record.label() + " is out of range; expected 0.."
                    + (metadata.numClasses() - 1) + " for " + metadata.numClasses() + " classes");
        }
        try {
            if (file == null) {
                file = openFile();
            }
            file.write(record);
            rowsWritten++;
            if (++rowsInFile == rowsPerFile) {
                closeFile();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + directory.staging(), e);
        }
    }

    /**
     * Finishes the last file and moves the dataset to its destination.
     *
     * @throws DatasetFormatException if no row was written (an empty dataset is never created)
     */
    public void commit() {
        if (rowsWritten == 0) {
            throw new DatasetFormatException(directory.destination() + ": refusing to write an empty dataset (no rows)");
        }
        try {
            closeFile();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish a Parquet file in " + directory.staging(), e);
        }
        directory.commit();
    }

    /** Deletes everything written unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        try {
            if (file != null) {
                file.close();
                file = null;
            }
        } catch (IOException e) {
            // The staging directory is deleted below anyway; the close failure changes nothing.
        } finally {
            directory.close();
        }
    }

    private ParquetWriter<ImageRecord> openFile() throws IOException {
        Path path = directory.staging().resolve(String.format("part-%05d.parquet", filesWritten++));
        rowsInFile = 0;
        return new RecordWriterBuilder(new LocalOutputFile(path), metadata.toKeyValue())
                .withConf(ParquetIo.configuration())
                .withCompressionCodec(codec)
                .withRowGroupRowCountLimit(rowsPerRowGroup)
                // Pixels do not repeat: dictionaries and min/max statistics would only cost time and space.
                .withDictionaryEncoding(ImageSchema.IMAGE, false)
                .withStatisticsEnabled(ImageSchema.IMAGE, false)
                .build();
    }

    private void closeFile() throws IOException {
        if (file != null) {
            ParquetWriter<ImageRecord> finished = file;
            file = null;
            finished.close();
        }
    }

    private static final class RecordWriterBuilder extends ParquetWriter.Builder<ImageRecord, RecordWriterBuilder> {
        private final Map<String, String> keyValueMetadata;

        RecordWriterBuilder(OutputFile file, Map<String, String> keyValueMetadata) {
            super(file);
            this.keyValueMetadata = keyValueMetadata;
        }

        @Override
        protected RecordWriterBuilder self() {
            return this;
        }

        // Abstract in Parquet, so it must exist; Ember passes a ParquetConfiguration and never calls it.
        @Override
        @SuppressWarnings("deprecation")
        protected WriteSupport<ImageRecord> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new ImageRecordWriteSupport(keyValueMetadata);
        }

        @Override
        protected WriteSupport<ImageRecord> getWriteSupport(ParquetConfiguration conf) {
            return new ImageRecordWriteSupport(keyValueMetadata);
        }
    }

    public static final class Builder {
        private final Path directory;
        private final List<String> classNames;
        private CompressionCodecName codec = CompressionCodecName.ZSTD;
        private int rowsPerFile = 20_000;
        private int rowsPerRowGroup = 4_096;
        private boolean overwrite;

        private Builder(Path directory, List<String> classNames) {
            this.directory = directory;
            this.classNames = List.copyOf(classNames);
        }

        /** Compression of every column; default ZSTD (zstd-jni ships with parquet-hadoop). SNAPPY and UNCOMPRESSED also work. */
        public Builder compression(CompressionCodecName codec) {
            this.codec = codec;
            return this;
        }

        /** Rows per {@code part-*.parquet} file; default 20,000. More files mean more Spark partitions. */
        public Builder rowsPerFile(int rowsPerFile) {
            this.rowsPerFile = rowsPerFile;
            return this;
        }

        /**
         * Rows per Parquet row group; default 4,096 (about 3 MiB of 28x28 pixels), so a reader
         * streams a file in pieces of bounded memory and Spark can split large files.
         */
        public Builder rowsPerRowGroup(int rowsPerRowGroup) {
            this.rowsPerRowGroup = rowsPerRowGroup;
            return this;
        }

        /** Replace an existing dataset at the destination on commit; default off. */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * Validates the settings and creates the staging directory.
         *
         * @throws IllegalArgumentException for bad settings or an existing destination without overwrite
         */
        public ParquetImageWriter build() {
            if (rowsPerFile <= 0 || rowsPerRowGroup <= 0) {
                throw new IllegalArgumentException("rows per file and per row group must be positive, got "
                        + rowsPerFile + " and " + rowsPerRowGroup);
            }
            if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.SNAPPY
                    && codec != CompressionCodecName.UNCOMPRESSED) {
                throw new IllegalArgumentException("compression " + codec + " is not available here; use ZSTD, SNAPPY or UNCOMPRESSED");
            }
            return new ParquetImageWriter(this);
        }
    }
}
