package dev.ember.data.transforms;

/** Cropping and bilinear resampling shared by the geometric transforms. */
final class Sampling {
    private Sampling() {}

    /**
     * The {@code height x width} window of {@code image} whose top-left corner is ({@code top},
     * {@code left}); the window may reach outside the image, where it is zero (torchvision pads
     * center crops larger than the image with zeros).
     */
    static FloatImage crop(FloatImage image, int top, int left, int height, int width) {
        float[] out = new float[image.channels() * height * width];
        int y0 = Math.max(0, -top);
        int y1 = Math.min(height, image.height() - top);
        int x0 = Math.max(0, -left);
        int x1 = Math.min(width, image.width() - left);
        for (int c = 0; c < image.channels(); c++) {
            for (int y = y0; y < y1; y++) {
                if (x1 > x0) {
                    System.arraycopy(image.data(), (c * image.height() + y + top) * image.width() + left + x0,
                            out, (c * height + y) * width + x0, x1 - x0);
                }
            }
        }
        return new FloatImage(out, image.channels(), height, width);
    }

    /**
     * Bilinear resize to {@code height x width}, matching PyTorch's
     * {@code interpolate(mode="bilinear", align_corners=False, antialias=False)}: output pixel
     * {@code d} samples source coordinate {@code max(0, (d + 0.5) * in / out - 0.5)}.
     */
    static FloatImage resize(FloatImage image, int height, int width) {
        int inH = image.height();
        int inW = image.width();
        if (inH == height && inW == width) {
            return new FloatImage(image.data().clone(), image.channels(), height, width);
        }
        int[] y0 = new int[height];
        int[] y1 = new int[height];
        float[] wy = new float[height];
        axis(inH, height, y0, y1, wy);
        int[] x0 = new int[width];
        int[] x1 = new int[width];
        float[] wx = new float[width];
        axis(inW, width, x0, x1, wx);
        float[] src = image.data();
        float[] out = new float[image.channels() * height * width];
        for (int c = 0; c < image.channels(); c++) {
            int plane = c * inH * inW;
            for (int y = 0; y < height; y++) {
                int r0 = plane + y0[y] * inW;
                int r1 = plane + y1[y] * inW;
                float fy = wy[y];
                int o = (c * height + y) * width;
                for (int x = 0; x < width; x++) {
                    float fx = wx[x];
                    float top = src[r0 + x0[x]] * (1 - fx) + src[r0 + x1[x]] * fx;
                    float bottom = src[r1 + x0[x]] * (1 - fx) + src[r1 + x1[x]] * fx;
                    out[o + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return new FloatImage(out, image.channels(), height, width);
    }

    private static void axis(int in, int out, int[] lo, int[] hi, float[] weight) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double src = Math.max(0, (d + 0.5) * scale - 0.5);
            int i = Math.min((int) src, in - 1);
            lo[d] = i;
            hi[d] = Math.min(i + 1, in - 1);
            weight[d] = (float) (src - i);
        }
    }

    /** Bilinear sample of channel plane {@code c} at ({@code y}, {@code x}); points outside the image read as zero. */
    static float sample(FloatImage image, int c, double y, double x) {
        int yi = (int) Math.floor(y);
        int xi = (int) Math.floor(x);
        float fy = (float) (y - yi);
        float fx = (float) (x - xi);
        return (1 - fy) * ((1 - fx) * at(image, c, yi, xi) + fx * at(image, c, yi, xi + 1))
                + fy * ((1 - fx) * at(image, c, yi + 1, xi) + fx * at(image, c, yi + 1, xi + 1));
    }

    private static float at(FloatImage image, int c, int y, int x) {
        return y < 0 || x < 0 || y >= image.height() || x >= image.width() ? 0f : image.get(c, y, x);
    }
}
