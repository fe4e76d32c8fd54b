package dev.ember.data;

import dev.ember.data.transforms.ToTensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image dataset decoded into one compact uint8 array (each image CHW, back to back); about
 * {@code numel + 12} bytes per image. Both readers (plain Parquet and Spark rows) fill it through
 * {@link Builder#addRow}, which holds all row validation and decoding, so the two cannot disagree.
 */
public final class InMemoryImageDataset implements ImageDataset {
    private final List<String> classNames;
    private final byte[] pixels;
    private final int[] offsets;
    private final int[] labels;
    private final int[] shapeIds;
    private final List<ImageShape> shapes;
    private final List<String> sourceNames;
    private final int[] sourceStarts;

    private InMemoryImageDataset(Builder b) {
        this.classNames = b.classNames;
        this.pixels = b.pixels.length == b.pixelCount ? b.pixels : Arrays.copyOf(b.pixels, b.pixelCount);
        this.offsets = Arrays.copyOf(b.offsets, b.size);
        this.labels = Arrays.copyOf(b.labels, b.size);
        this.shapeIds = Arrays.copyOf(b.shapeIds, b.size);
        this.shapes = List.copyOf(b.shapes);
        this.sourceNames = List.copyOf(b.sourceNames);
        this.sourceStarts = b.sourceStarts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Starts a dataset with these class names (label {@code i} is {@code classNames.get(i)}). */
    public static Builder builder(List<String> classNames) {
        return new Builder(new DatasetMetadata(classNames).classNames());
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public ImageShape shape(int index) {
        return shapes.get(shapeIds[index]);
    }

    @Override
    public void readImage(int index, float[] dst, int dstOffset) {
        ToTensor.toUnitFloats(pixels, offsets[index], dst, dstOffset, shape(index).numel());
    }

    @Override
    public void readPixels(int index, byte[] dst, int dstOffset) {
        System.arraycopy(pixels, offsets[index], dst, dstOffset, shape(index).numel());
    }

    @Override
    public String locate(int index) {
        Objects.checkIndex(index, size());
        // Starts are strictly increasing: beginSource drops sources that gave no rows.
        int source = Arrays.binarySearch(sourceStarts, index);
        if (source < 0) {
            source = -source - 2;
        }
        return sourceNames.get(source) + " row " + (index - sourceStarts[source]);
    }

    /** Collects validated rows. Not thread-safe. */
    public static final class Builder {
        private static final int MAX_PIXELS = Integer.MAX_VALUE - 8;

        private final List<String> classNames;
        private final ImageDecoder decoder = new ImageDecoder();
        private byte[] pixels = new byte[1 << 16];
        private int pixelCount;
        private int[] offsets = new int[256];
        private int[] labels = new int[256];
        private int[] shapeIds = new int[256];
        private int size;
        private final List<ImageShape> shapes = new ArrayList<>();
        private final Map<ImageShape, Integer> shapeIdOf = new HashMap<>();
        private final List<String> sourceNames = new ArrayList<>();
        private final List<Integer> sourceStarts = new ArrayList<>();
        private int rowInSource;
        private boolean built;
        private int expectedRows;
        private String lastMarker;
        private ImageEncoding lastEncoding;
        private int lastShapeId;

        private Builder(List<String> classNames) {
            this.classNames = classNames;
            beginSource("input");
        }

        /** Names the file or partition that the following rows come from; row numbers restart at 0. */
        public Builder beginSource(String name) {
            if (!sourceStarts.isEmpty() && sourceStarts.get(sourceStarts.size() - 1) == size) {
                // The previous source gave no rows: replace it so that locate() stays unambiguous.
                sourceNames.remove(sourceNames.size() - 1);
                sourceStarts.remove(sourceStarts.size() - 1);
            }
            sourceNames.add(name);
            sourceStarts.add(size);
            rowInSource = 0;
            return this;
        }

        /** Adds a record (validated exactly as a row read from a file). */
        public Builder add(ImageRecord record) {
            return addRow(record.image(), record.encoding().marker(), record.height(), record.width(), record.channels(),
                    record.label());
        }

        /**
         * Validates one row's column values and appends its pixels. Null arguments are null column
         * values. RAW images are reordered from HWC to CHW; PNG/JPEG images are decoded now and
         * converted to {@code channels}.
         *
         * @throws DatasetFormatException naming the source, row and column of the first problem
         */
        public Builder addRow(byte[] image, String encoding, Integer height, Integer width, Integer channels, Integer label) {
            if (built) {
                throw new IllegalStateException("build() was already called");
            }
            ImageEncoding kind = encoding(required(encoding, ImageSchema.ENCODING));
            int h = positive(required(height, ImageSchema.HEIGHT), ImageSchema.HEIGHT);
            int w = positive(required(width, ImageSchema.WIDTH), ImageSchema.WIDTH);
            int c = required(channels, ImageSchema.CHANNELS);
            if (c != 1 && c != 3) {
                throw new DatasetFormatException(where() + " column '" + ImageSchema.CHANNELS + "': " + c + " channels; expected 1 or 3");
            }
            int lab = required(label, ImageSchema.LABEL);
            if (lab < 0 || lab >= classNames.size()) {
                throw new DatasetFormatException(where() + " column '" + ImageSchema.LABEL + "': label " + lab
                        + " is out of range; expected 0.." + (classNames.size() - 1) + " for " + classNames.size() + " classes");
            }
            if ((long) h * w * c > Integer.MAX_VALUE) {
                throw new DatasetFormatException(where() + ": image of " + h + "x" + w + "x" + c + " is too large");
            }
            int shapeId = shapeId(c, h, w);
            ImageShape shape = shapes.get(shapeId);
            append(hwcPixels(required(image, ImageSchema.IMAGE), kind, shape), shapeId, lab);
            rowInSource++;
            return this;
        }

        // The message prefix naming the current row; built only when a row is bad.
        private String where() {
            return sourceNames.get(sourceNames.size() - 1) + " row " + rowInSource;
        }

        private ImageEncoding encoding(String marker) {
            // Nearly every dataset has one encoding: skip the lookup when it repeats.
            if (!marker.equals(lastMarker)) {
                lastEncoding = ImageEncoding.fromMarker(marker, where());
                lastMarker = marker;
            }
            return lastEncoding;
        }

        private int shapeId(int c, int h, int w) {
            ImageShape last = shapes.isEmpty() ? null : shapes.get(lastShapeId);
            if (last != null && last.channels() == c && last.height() == h && last.width() == w) {
                return lastShapeId;
            }
            lastShapeId = shapeIdOf.computeIfAbsent(new ImageShape(c, h, w), s -> {
                shapes.add(s);
                return shapes.size() - 1;
            });
            return lastShapeId;
        }

        private byte[] hwcPixels(byte[] image, ImageEncoding kind, ImageShape shape) {
            if (kind == ImageEncoding.RAW) {
                if (image.length != shape.numel()) {
                    throw new DatasetFormatException(where() + " column '" + ImageSchema.IMAGE + "': " + image.length
                            + " bytes of raw pixels; expected height x width x channels = " + shape.height() + " x "
                            + shape.width() + " x " + shape.channels() + " = " + shape.numel());
                }
                return image;
            }
            BufferedImage decoded;
            try {
                decoded = decoder.decode(image, kind);
            } catch (IOException e) {
                throw new DatasetFormatException(where() + " column '" + ImageSchema.IMAGE + "': " + image.length
                        + " bytes do not decode as " + kind + " (" + e.getMessage() + ")", e);
            }
            if (decoded.getHeight() != shape.height() || decoded.getWidth() != shape.width()) {
                throw new DatasetFormatException(where() + " column '" + ImageSchema.IMAGE + "': " + kind + " decodes to "
                        + decoded.getHeight() + "x" + decoded.getWidth() + " (HxW); columns height and width say "
                        + shape.height() + "x" + shape.width());
            }
            return Pixels.hwc(decoded, shape.channels());
        }

        private void append(byte[] hwc, int shapeId, int label) {
            int n = hwc.length;
            if ((long) pixelCount + n > MAX_PIXELS) {
                throw new DatasetFormatException("dataset does not fit in one in-memory array (over 2 GiB of pixels) at " + where());
            }
            if (pixelCount + n > pixels.length) {
                // Sized for all expected rows once the first image shows the image size; doubling otherwise.
                long wanted = Math.max(2L * pixels.length, Math.max(pixelCount + n, (long) expectedRows * n));
                pixels = Arrays.copyOf(pixels, (int) Math.min(MAX_PIXELS, wanted));
            }
            if (size == labels.length) {
                int capacity = Math.max(2 * size, expectedRows);
                offsets = Arrays.copyOf(offsets, capacity);
                labels = Arrays.copyOf(labels, capacity);
                shapeIds = Arrays.copyOf(shapeIds, capacity);
            }
            Pixels.hwcToChw(hwc, 0, shapes.get(shapeId), pixels, pixelCount);
            offsets[size] = pixelCount;
            labels[size] = label;
            shapeIds[size] = shapeId;
            size++;
            pixelCount += n;
        }

        /**
         * Tells the builder how many rows will come (e.g. from Parquet footers), so that it can
         * allocate its arrays once instead of growing them; a hint, not a limit.
         */
        public Builder expectRows(long rows) {
            this.expectedRows = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, rows));
            return this;
        }

        /** The dataset; may be empty (an empty Spark partition is legitimate). */
        public InMemoryImageDataset build() {
            built = true;
            return new InMemoryImageDataset(this);
        }

        private <T> T required(T value, String column) {
            if (value == null) {
                throw new DatasetFormatException(where() + " column '" + column + "': null; the column is required");
            }
            return value;
        }

        private int positive(int value, String column) {
            if (value <= 0) {
                throw new DatasetFormatException(where() + " column '" + column + "': " + value + "; expected a positive size");
            }
            return value;
        }
    }
}
