package dev.ember.data;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Opens local Parquet files without Hadoop's {@code Configuration} (which would parse Hadoop's XML
 * defaults on every use) and turns Parquet's failures into messages that name the file.
 */
final class ParquetIo {
    private ParquetIo() {}

    static ParquetConfiguration configuration() {
        return new PlainParquetConfiguration();
    }

    static ParquetFileReader open(Path file) {
        try {
            return ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder(configuration()).build());
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    static DatasetFormatException unreadable(Path file, Exception e) {
        return new DatasetFormatException(file + ": not a readable Parquet file (" + e.getMessage() + ")", e);
    }
}
