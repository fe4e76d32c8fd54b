package dev.ember.data.importers;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.DatasetInfo;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Imports the IDX format of MNIST and Fashion-MNIST: an image file ({@code *-idx3-ubyte}, magic
 * {@code 0x00000803}, then count, rows, columns as big-endian int32, then uint8 pixels) and a label
 * file ({@code *-idx1-ubyte}, magic {@code 0x00000801}, count, uint8 labels). Either may be gzipped
 * (detected from its first bytes, not its name). Rows are written in file order, with the record
 * index as {@code id}.
 */
public final class IdxImporter {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    /** Fashion-MNIST's class names, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** MNIST's class names, the digits in label order. */
    public static final List<String> MNIST_CLASSES = numberedClasses(10);

    private IdxImporter() {}

    /**
     * Imports one image/label file pair.
     *
     * @param classNames label {@code i} is {@code classNames.get(i)}; every label must be below its size
     * @return the written dataset(s)
     * @throws DatasetFormatException for wrong magic numbers, counts that do not match, truncated
     *         files or gzip streams, trailing bytes, or labels without a class name
     */
    public static List<DatasetInfo> importTo(Path images, Path labels, List<String> classNames, ImportTarget target) {
        target.checkDestination();
        LabelledImages data = read(images, labels);
        for (int i = 0; i < data.size(); i++) {
            if (data.labels()[i] >= classNames.size()) {
                throw new DatasetFormatException(labels + " record " + i + ": label " + data.labels()[i]
                        + " is out of range; expected 0.." + (classNames.size() - 1) + " for the " + classNames.size()
                        + " class names " + classNames);
            }
        }
        return target.write(data.labels(), data::record, classNames, false);
    }

    /** Reads and cross-checks an image file and a label file. */
    public static LabelledImages read(Path images, Path labels) {
        int[] labelValues = readLabels(labels);
        try (DataInputStream in = open(images)) {
            int magic = header(in, images, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new DatasetFormatException(images + ": magic number 0x" + String.format("%08X", magic)
                        + "; expected 0x00000803 (IDX unsigned bytes, 3 dimensions) for an image file");
            }
            int count = header(in, images, "image count");
            int rows = header(in, images, "row count");
            int cols = header(in, images, "column count");
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(images + ": header says " + count + " images of " + rows + "x" + cols
                        + "; expected a positive size and at most 2 GiB of pixels");
            }
            if (count != labelValues.length) {
                throw new DatasetFormatException(images + " holds " + count + " images but " + labels + " holds "
                        + labelValues.length + " labels; the counts must match");
            }
            byte[] pixels = new byte[count * rows * cols];
            int read = in.readNBytes(pixels, 0, pixels.length);
            if (read < pixels.length) {
                throw new DatasetFormatException(images + " is truncated: the header announces " + count + " images of "
                        + rows + "x" + cols + " (" + pixels.length + " bytes) but the data ends after " + read
                        + " bytes, in image " + read / (rows * cols));
            }
            checkEnd(in, images, count + " images");
            String[] ids = new String[count];
            for (int i = 0; i < count; i++) {
                ids[i] = Integer.toString(i);
            }
            return new LabelledImages(pixels, labelValues, ids, rows, cols, 1);
        } catch (EOFException e) {
            throw truncatedGzip(images, e);
        } catch (ZipException e) {
            throw new DatasetFormatException(images + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + images, e);
        }
    }

    private static int[] readLabels(Path labels) {
        try (DataInputStream in = open(labels)) {
            int magic = header(in, labels, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new DatasetFormatException(labels + ": magic number 0x" + String.format("%08X", magic)
                        + "; expected 0x00000801 (IDX unsigned bytes, 1 dimension) for a label file");
            }
            int count = header(in, labels, "label count");
            if (count < 0) {
                throw new DatasetFormatException(labels + ": header says " + count + " labels; expected a non-negative count");
            }
            byte[] bytes = new byte[count];
            int read = in.readNBytes(bytes, 0, count);
            if (read < count) {
                throw new DatasetFormatException(labels + " is truncated: the header announces " + count
                        + " labels but the data ends after " + read);
            }
            checkEnd(in, labels, count + " labels");
            int[] values = new int[count];
            for (int i = 0; i < count; i++) {
                values[i] = bytes[i] & 0xFF;
            }
            return values;
        } catch (EOFException e) {
            throw truncatedGzip(labels, e);
        } catch (ZipException e) {
            throw new DatasetFormatException(labels + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + labels, e);
        }
    }

    private static int header(DataInputStream in, Path file, String field) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DatasetFormatException(file + " is truncated: it ends inside the IDX header (" + field + ")", e);
        }
    }

    private static void checkEnd(InputStream in, Path file, String what) throws IOException {
        if (in.read() != -1) {
            throw new DatasetFormatException(file + " has bytes after the " + what + " its header announces; "
                    + "the count in the header does not match the data");
        }
    }

    // GZIPInputStream reports a gzip stream cut short as an EOFException from inside readNBytes.
    private static DatasetFormatException truncatedGzip(Path file, EOFException e) {
        return new DatasetFormatException(file + " is truncated: the gzip stream ends early (" + e.getMessage() + ")", e);
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFormatException(file + ": no such IDX file");
        }
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1F && raw.read() == 0x8B;
        raw.reset();
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }

    /** Class names for labels {@code 0 .. count-1}: {@code "0"}, {@code "1"}, ... */
    public static List<String> numberedClasses(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(Integer.toString(i));
        }
        return List.copyOf(names);
    }
}
