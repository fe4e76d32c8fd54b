package dev.ember.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG bytes with the JDK's ImageIO. Each instance keeps one reader per format,
 * because looking a reader up per image costs as much as decoding a small image; instances are
 * therefore not thread-safe: use one per thread.
 */
public final class ImageDecoder {
    private final Map<ImageEncoding, ImageReader> readers = new EnumMap<>(ImageEncoding.class);

    /**
     * Decodes {@code bytes} as {@code encoding} (PNG or JPEG; the marker must match the bytes).
     *
     * @throws IOException when the bytes are not a valid image of that format
     */
    public BufferedImage decode(byte[] bytes, ImageEncoding encoding) throws IOException {
        ImageReader reader = readers.computeIfAbsent(encoding, ImageDecoder::newReader);
        // A memory-cached stream: ImageIO's default stream caches to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } catch (RuntimeException e) {
            // Some ImageIO plugins report corrupt data with unchecked exceptions.
            throw new IOException(e.toString(), e);
        } finally {
            reader.setInput(null);
        }
    }

    private static ImageReader newReader(ImageEncoding encoding) {
        if (encoding == ImageEncoding.RAW) {
            throw new IllegalArgumentException("raw pixels need no decoder");
        }
        Iterator<ImageReader> found = ImageIO.getImageReadersByFormatName(encoding.marker());
        if (!found.hasNext()) {
            throw new IllegalStateException("this JDK has no ImageIO reader for " + encoding.marker());
        }
        return found.next();
    }
}
