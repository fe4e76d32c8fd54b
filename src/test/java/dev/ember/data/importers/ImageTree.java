package dev.ember.data.importers;

import dev.ember.data.Pixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes a small ImageFolder tree with ImageIO and knows the pixels each file must decode to:
 * colour and grey PNG (exact) and JPEG (as ImageIO decodes that file), of mixed sizes, plus files
 * the importer must skip.
 */
public final class ImageTree {
    /** Relative path to the expected RGB pixels (HWC) and size of each image file. */
    public record Expected(byte[] rgb, int height, int width) {}

    private final Path root;
    private final Map<String, Expected> expected = new LinkedHashMap<>();

    private ImageTree(Path root) {
        this.root = root;
    }

    public static ImageTree write(Path root) {
        ImageTree tree = new ImageTree(root);
        Random random = new Random(3);
        tree.colourPng("cat/a.png", 8, 6, random);
        tree.colourPng("cat/b.png", 5, 7, random);
        tree.colourPng("cat/nested/c.png", 8, 6, random);
        tree.colourJpeg("dog/d.jpg", 8, 8, random);
        tree.colourJpeg("dog/e.JPEG", 6, 9, random);
        tree.greyPng("Zebra/f.png", 6, 5, random);
        tree.greyPng("Zebra/g.png", 6, 6, random);
        try {
            Files.writeString(root.resolve("cat/notes.txt"), "not an image");
            Files.createDirectories(root.resolve(".cache"));
            Files.writeString(root.resolve("cat/.hidden.png"), "skipped");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }

    public Path root() {
        return root;
    }

    public Map<String, Expected> expected() {
        return expected;
    }

    private void colourPng(String path, int h, int w, Random random) {
        byte[] rgb = smooth(h, w, 3, random);
        save(Pixels.toBufferedImage(rgb, h, w, 3), "png", path);
        expected.put(path, new Expected(rgb, h, w));
    }

    private void greyPng(String path, int h, int w, Random random) {
        byte[] grey = smooth(h, w, 1, random);
        save(Pixels.toBufferedImage(grey, h, w, 1), "png", path);
        byte[] rgb = new byte[h * w * 3];
        for (int p = 0; p < h * w; p++) {
            rgb[3 * p] = grey[p];
            rgb[3 * p + 1] = grey[p];
            rgb[3 * p + 2] = grey[p];
        }
        expected.put(path, new Expected(rgb, h, w));
    }

    // JPEG is lossy: the reference is ImageIO's own decode of the written file, read pixel by pixel.
    private void colourJpeg(String path, int h, int w, Random random) {
        save(Pixels.toBufferedImage(smooth(h, w, 3, random), h, w, 3), "jpeg", path);
        try {
            BufferedImage decoded = ImageIO.read(root.resolve(path).toFile());
            byte[] rgb = new byte[h * w * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = decoded.getRGB(x, y);
                    int p = 3 * (y * w + x);
                    rgb[p] = (byte) (argb >> 16);
                    rgb[p + 1] = (byte) (argb >> 8);
                    rgb[p + 2] = (byte) argb;
                }
            }
            expected.put(path, new Expected(rgb, h, w));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Smooth gradients plus noise: realistic for JPEG, and no two images alike.
    private static byte[] smooth(int h, int w, int c, Random random) {
        byte[] out = new byte[h * w * c];
        int base = random.nextInt(100);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    out[(y * w + x) * c + k] = (byte) Math.min(255, base + 12 * x + 9 * y + 40 * k + random.nextInt(8));
                }
            }
        }
        return out;
    }

    private void save(BufferedImage image, String format, String path) {
        try {
            Path file = root.resolve(path);
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
