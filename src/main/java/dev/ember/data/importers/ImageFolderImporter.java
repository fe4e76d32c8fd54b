package dev.ember.data.importers;

import dev.ember.data.DatasetFormatException;
import dev.ember.data.DatasetInfo;
import dev.ember.data.ImageDecoder;
import dev.ember.data.ImageEncoding;
import dev.ember.data.ImageRecord;
import dev.ember.data.Pixels;
import dev.ember.data.transforms.FloatImage;
import dev.ember.data.transforms.Resize;
import dev.ember.data.transforms.ToTensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Imports torchvision's ImageFolder layout: {@code root/<class>/**&#47;*.png|jpg|jpeg}. Class names
 * are the sub-directory names sorted as Python sorts strings (by code point), so labels match
 * torchvision's {@code ImageFolder.class_to_idx}. Names starting with {@code .} and files with other
 * extensions are skipped. Every image is decoded with the JDK's ImageIO and converted like
 * torchvision's default loader: to RGB (3 channels), or to grey with {@link Builder#grayscale}.
 * Images are read one at a time while writing, so the tree may be larger than memory.
 */
public final class ImageFolderImporter {
    /** How the {@code image} column stores pixels. */
    public enum Storage {
        /** uint8 HWC pixels: fastest to read; the default. */
        RAW,
        /** Lossless PNG of the converted (and resized) pixels: smaller than RAW for large photos, about 8x slower to read. */
        PNG,
        /** The original file bytes with their own encoding; the smallest for photos; not with resize. */
        KEEP
    }

    private final Path root;
    private final List<String> classNames;
    private final List<Path> files;
    private final int[] labels;
    private final int channels;
    private final int resizeHeight;
    private final int resizeWidth;
    private final Storage storage;

    private ImageFolderImporter(Builder b, List<String> classNames, List<Path> files, int[] labels) {
        this.root = b.root;
        this.classNames = classNames;
        this.files = files;
        this.labels = labels;
        this.channels = b.grayscale ? 1 : 3;
        this.resizeHeight = b.resizeHeight;
        this.resizeWidth = b.resizeWidth;
        this.storage = b.storage;
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** The class names, sorted; label {@code i} is {@code classNames().get(i)}. */
    public List<String> classNames() {
        return classNames;
    }

    /** The image files found, in class order and then path order. */
    public List<Path> files() {
        return files;
    }

    /**
     * Decodes every image and writes the dataset(s), rows in a seeded random order.
     *
     * @throws DatasetFormatException naming the first file that does not decode
     */
    public List<DatasetInfo> importTo(ImportTarget target) {
        target.checkDestination();
        ImageDecoder decoder = new ImageDecoder();
        return target.write(labels, i -> record(i, decoder), classNames, true);
    }

    private ImageRecord record(int index, ImageDecoder decoder) {
        Path file = files.get(index);
        ImageEncoding encoding = encodingOf(file);
        byte[] bytes;
        BufferedImage image;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            image = decoder.decode(bytes, encoding);
        } catch (IOException e) {
            throw new DatasetFormatException(file + ": does not decode as " + encoding + " (" + e.getMessage() + ")", e);
        }
        int h = image.getHeight();
        int w = image.getWidth();
        String relative = root.relativize(file).toString().replace('\\', '/');
        if (storage == Storage.KEEP) {
            return ImageRecord.encoded(bytes, encoding, h, w, channels, labels[index]).withPath(relative);
        }
        byte[] hwc = Pixels.hwc(image, channels);
        if (resizeHeight > 0) {
            hwc = resize(hwc, h, w);
            h = resizeHeight;
            w = resizeWidth;
        }
        ImageRecord record = storage == Storage.RAW
                ? ImageRecord.raw(hwc, h, w, channels, labels[index])
                : ImageRecord.encoded(Pixels.encodePng(hwc, h, w, channels), ImageEncoding.PNG, h, w, channels, labels[index]);
        return record.withPath(relative);
    }

    // Resizing goes through the float pipeline's Resize, so import-time and train-time resizing agree.
    private byte[] resize(byte[] hwc, int h, int w) {
        FloatImage resized = new Resize(resizeHeight, resizeWidth).apply(ToTensor.fromHwc(hwc, h, w, channels), 0L);
        float[] chw = resized.data();
        int plane = resizeHeight * resizeWidth;
        byte[] out = new byte[plane * channels];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                out[p * channels + c] = (byte) Math.max(0, Math.min(255, Math.round(chw[c * plane + p] * 255f)));
            }
        }
        return out;
    }

    private static ImageEncoding encodingOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") ? ImageEncoding.PNG : ImageEncoding.JPEG;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    // Python compares str by code point; String.compareTo compares UTF-16 units, which differs beyond the BMP.
    private static final Comparator<String> BY_CODE_POINT = (a, b) -> {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        return Arrays.compare(x, y);
    };

    public static final class Builder {
        private final Path root;
        private boolean grayscale;
        private int resizeHeight;
        private int resizeWidth;
        private Storage storage = Storage.RAW;

        private Builder(Path root) {
            this.root = root;
        }

        /** Convert to 1 grey channel (ITU-R 601-2 luma, like PIL's {@code convert("L")}); default RGB. */
        public Builder grayscale(boolean grey) {
            this.grayscale = grey;
            return this;
        }

        /** Resize every image to {@code height x width} (bilinear, see {@link Resize}) while importing. */
        public Builder resize(int height, int width) {
            this.resizeHeight = height;
            this.resizeWidth = width;
            return this;
        }

        /** How pixels are stored; default {@link Storage#RAW}. */
        public Builder storage(Storage how) {
            this.storage = how;
            return this;
        }

        /**
         * Validates the options and scans the tree (no image is decoded yet).
         *
         * @throws DatasetFormatException if the root is missing or has no class directories, or a class has no images
         */
        public ImageFolderImporter build() {
            if (resizeHeight < 0 || resizeWidth < 0 || (resizeHeight == 0) != (resizeWidth == 0)) {
                throw new IllegalArgumentException("resize needs a positive height and width, got " + resizeHeight + "x" + resizeWidth);
            }
            if (storage == Storage.KEEP && resizeHeight > 0) {
                throw new IllegalArgumentException("storage KEEP stores the files unchanged and cannot be combined with resize");
            }
            if (!Files.isDirectory(root)) {
                throw new DatasetFormatException(root + ": no such image folder");
            }
            List<String> classNames = classDirectories();
            List<Path> files = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int label = 0; label < classNames.size(); label++) {
                List<Path> classFiles = imagesUnder(root.resolve(classNames.get(label)));
                if (classFiles.isEmpty()) {
                    throw new DatasetFormatException(root.resolve(classNames.get(label))
                            + ": class directory has no .png, .jpg or .jpeg files");
                }
                files.addAll(classFiles);
                for (int k = 0; k < classFiles.size(); k++) {
                    labels.add(label);
                }
            }
            return new ImageFolderImporter(this, List.copyOf(classNames), List.copyOf(files),
                    labels.stream().mapToInt(Integer::intValue).toArray());
        }

        private List<String> classDirectories() {
            try (Stream<Path> entries = Files.list(root)) {
                List<String> names = entries.filter(Files::isDirectory)
                        .map(p -> p.getFileName().toString())
                        .filter(name -> !name.startsWith("."))
                        .sorted(BY_CODE_POINT)
                        .toList();
                if (names.isEmpty()) {
                    throw new DatasetFormatException(root + ": no class directories; expected root/<class>/<image files>");
                }
                return names;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }

        private static List<Path> imagesUnder(Path classDir) {
            try (Stream<Path> walk = Files.walk(classDir)) {
                return walk.filter(Files::isRegularFile)
                        .filter(ImageFolderImporter::isImage)
                        .filter(p -> !hiddenBelow(classDir, p))
                        .sorted(Comparator.comparing(p -> classDir.relativize(p).toString(), BY_CODE_POINT))
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + classDir, e);
            }
        }

        private static boolean hiddenBelow(Path classDir, Path file) {
            for (Path part : classDir.relativize(file)) {
                if (part.toString().startsWith(".")) {
                    return true;
                }
            }
            return false;
        }
    }
}
