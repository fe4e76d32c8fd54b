package dev.ember.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Conversions between uint8 pixel arrays and {@link BufferedImage}. Pixel arrays are HWC
 * (interleaved, as stored in RAW rows) or CHW (planar, as held in memory for batching).
 */
public final class Pixels {
    private Pixels() {}

    /**
     * The pixels of {@code image} as uint8 HWC with {@code channels} channels, converting like
     * PIL's {@code convert("L")} / {@code convert("RGB")}: grey is replicated to RGB, RGB becomes
     * ITU-R 601-2 luma, alpha is dropped.
     *
     * @param channels 1 or 3
     * @return {@code height * width * channels} bytes
     */
    public static byte[] hwc(BufferedImage image, int channels) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] out = new byte[h * w * channels];
        if (isGrey(image)) {
            byte[] grey = greySamples(image.getRaster());
            if (channels == 1) {
                return grey;
            }
            for (int p = 0; p < grey.length; p++) {
                out[3 * p] = grey[p];
                out[3 * p + 1] = grey[p];
                out[3 * p + 2] = grey[p];
            }
            return out;
        }
        // getRGB converts any colour model (palette, BGR, ABGR, ...) to non-premultiplied sRGB.
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (row[x] >> 16) & 0xFF;
                int g = (row[x] >> 8) & 0xFF;
                int b = row[x] & 0xFF;
                int p = y * w + x;
                if (channels == 1) {
                    out[p] = (byte) luma(r, g, b);
                } else {
                    out[3 * p] = (byte) r;
                    out[3 * p + 1] = (byte) g;
                    out[3 * p + 2] = (byte) b;
                }
            }
        }
        return out;
    }

    /** PIL's integer luma: {@code L = R*299/1000 + G*587/1000 + B*114/1000}, rounded. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    // Grey images are read from the raster: getRGB would pass them through a linear-to-sRGB gamma curve.
    private static boolean isGrey(BufferedImage image) {
        return !(image.getColorModel() instanceof IndexColorModel)
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    private static byte[] greySamples(Raster raster) {
        int h = raster.getHeight();
        int w = raster.getWidth();
        int bits = raster.getSampleModel().getSampleSize(0);
        if (bits == 8 && raster.getNumBands() == 1 && raster.getDataBuffer() instanceof DataBufferByte) {
            return (byte[]) raster.getDataElements(0, 0, w, h, null);
        }
        int max = (1 << bits) - 1;
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        byte[] out = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = (byte) ((samples[i] * 255 + max / 2) / max);
        }
        return out;
    }

    /** An 8-bit grey or RGB image holding {@code hwc} ({@code height * width * channels} bytes, channels 1 or 3). */
    public static BufferedImage toBufferedImage(byte[] hwc, int height, int width, int channels) {
        if (channels == 1) {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, width, height, hwc);
            return image;
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        image.getRaster().setPixels(0, 0, width, height, toInts(hwc));
        return image;
    }

    /**
     * Encodes {@code hwc} ({@code height * width * channels} bytes, channels 1 or 3) as a PNG file,
     * in memory: {@code ImageIO.write} to a stream would cache through a temporary file.
     */
    public static byte[] encodePng(byte[] hwc, int height, int width, int channels) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(toBufferedImage(hwc, height, width, channels));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }

    /**
     * Copies one HWC image into CHW order.
     *
     * @param src    {@code shape.numel()} bytes from {@code srcOffset}, HWC
     * @param dst    receives {@code shape.numel()} bytes from {@code dstOffset}, CHW
     */
    public static void hwcToChw(byte[] src, int srcOffset, ImageShape shape, byte[] dst, int dstOffset) {
        int c = shape.channels();
        int plane = shape.height() * shape.width();
        if (c == 1) {
            System.arraycopy(src, srcOffset, dst, dstOffset, plane);
            return;
        }
        for (int p = 0; p < plane; p++) {
            for (int k = 0; k < c; k++) {
                dst[dstOffset + k * plane + p] = src[srcOffset + p * c + k];
            }
        }
    }

    /** The inverse of {@link #hwcToChw}: {@code shape.numel()} CHW bytes to a new HWC array. */
    public static byte[] chwToHwc(byte[] src, int srcOffset, ImageShape shape) {
        int c = shape.channels();
        int plane = shape.height() * shape.width();
        byte[] out = new byte[shape.numel()];
        for (int p = 0; p < plane; p++) {
            for (int k = 0; k < c; k++) {
                out[p * c + k] = src[srcOffset + k * plane + p];
            }
        }
        return out;
    }
}
