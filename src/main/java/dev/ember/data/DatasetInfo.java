package dev.ember.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * What the footers of a dataset directory say, read without reading any image: the Parquet files
 * (in name order), the class names and the row count. Cheap; Spark drivers use it to learn the
 * class names, which Spark's DataFrame reader does not expose.
 */
public record DatasetInfo(Path directory, List<Path> files, DatasetMetadata metadata, long rows) {
    public DatasetInfo {
        files = List.copyOf(files);
    }

    public List<String> classNames() {
        return metadata.classNames();
    }

    /**
     * Reads the footers of every Parquet file of a dataset and checks that they agree.
     *
     * @param directory a dataset directory (all non-hidden {@code *.parquet} files in it; names
     *                  starting with {@code .} or {@code _} are skipped, as Spark does), or one Parquet file
     * @throws DatasetFormatException if there are no files or no rows, a file has missing or mistyped
     *         columns or lacks the class metadata, or files disagree on the class names
     */
    public static DatasetInfo read(Path directory) {
        List<Path> files = parquetFiles(directory);
        DatasetMetadata metadata = null;
        Path metadataFile = null;
        long rows = 0;
        for (Path file : files) {
            try (ParquetFileReader reader = ParquetIo.open(file)) {
                FileMetaData footer = reader.getFooter().getFileMetaData();
                checkColumns(footer.getSchema(), file.toString());
                DatasetMetadata fileMetadata = DatasetMetadata.fromKeyValue(footer.getKeyValueMetaData(), file.toString());
                if (metadata == null) {
                    metadata = fileMetadata;
                    metadataFile = file;
                } else if (!metadata.equals(fileMetadata)) {
                    throw new DatasetFormatException(file + ": class names " + fileMetadata.classNames()
                            + " differ from " + metadata.classNames() + " in " + metadataFile);
                }
                rows += reader.getRecordCount();
            } catch (IOException e) {
                throw ParquetIo.unreadable(file, e);
            }
        }
        if (rows == 0) {
            throw new DatasetFormatException(directory + ": dataset is empty (" + files.size() + " Parquet file(s), no rows)");
        }
        return new DatasetInfo(directory, files, metadata, rows);
    }

    /** The number of rows of one Parquet file (its footer's count). */
    public static long rowCount(Path file) {
        try (ParquetFileReader reader = ParquetIo.open(file)) {
            return reader.getRecordCount();
        } catch (IOException e) {
            throw ParquetIo.unreadable(file, e);
        }
    }

    static void checkColumns(MessageType schema, String source) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Type field : schema.getFields()) {
            types.put(field.getName(), ImageSchema.typeName(field));
        }
        ImageSchema.checkColumns(types, source);
    }

    private static List<Path> parquetFiles(Path directory) {
        if (Files.isRegularFile(directory)) {
            return List.of(directory);
        }
        if (!Files.isDirectory(directory)) {
            throw new DatasetFormatException(directory + ": no such dataset directory or Parquet file");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> files = entries
                    .filter(p -> {
                        String name = p.getFileName().toString();
                        return name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith("_") && Files.isRegularFile(p);
                    })
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new DatasetFormatException(directory + ": dataset is empty (no .parquet files in the directory)");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}
