package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.Layout;

/**
 * im2col / col2im over NCHW images: the unfolding that turns convolution and pooling into matmul and
 * reductions. Each column row (one channel and kernel offset) splits into a padded left part, an
 * interior where every window position reads inside the image, and a padded right part, so the
 * interior runs without bounds checks (and as a block copy for stride 1).
 */
final class Windows {
    private Windows() {
    }

    /** First output position whose input index {@code o*stride - pad + k*dil} is >= 0. */
    private static int firstInside(int pad, int kOffset, int stride) {
        int need = pad - kOffset;
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output position whose input index is < size. */
    private static int endInside(int size, int pad, int kOffset, int stride, int outSize) {
        int limit = size - 1 + pad - kOffset;
        return limit < 0 ? 0 : Math.min(outSize, limit / stride + 1);
    }

    static void im2col(CpuStorage x, Layout xl, ConvGeometry g, float padValue, CpuStorage cols) {
        float[] xs = x.floats();
        float[] cs = cols.floats();
        int batch = xl.shape().size(0);
        int oh = g.outH();
        int ow = g.outW();
        int sn = xl.stride(0);
        int sc = xl.stride(1);
        int sh = xl.stride(2);
        int sw = xl.stride(3);
        int ci = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < g.channels(); c++) {
                int plane = xl.offset() + n * sn + c * sc;
                for (int ky = 0; ky < g.kH(); ky++) {
                    for (int kx = 0; kx < g.kW(); kx++) {
                        int kxOff = kx * g.dilW();
                        int x0 = Math.min(firstInside(g.padW(), kxOff, g.strideW()), ow);
                        int x1 = Math.max(endInside(g.inW(), g.padW(), kxOff, g.strideW(), ow), x0);
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                            if (iy < 0 || iy >= g.inH()) {
                                java.util.Arrays.fill(cs, ci, ci + ow, padValue);
                                ci += ow;
                                continue;
                            }
                            java.util.Arrays.fill(cs, ci, ci + x0, padValue);
                            int src = plane + iy * sh + (x0 * g.strideW() - g.padW() + kxOff) * sw;
                            int step = g.strideW() * sw;
                            if (step == 1) {
                                System.arraycopy(xs, src, cs, ci + x0, x1 - x0);
                            } else {
                                for (int ox = x0, at = src; ox < x1; ox++, at += step) {
                                    cs[ci + ox] = xs[at];
                                }
                            }
                            java.util.Arrays.fill(cs, ci + x1, ci + ow, padValue);
                            ci += ow;
                        }
                    }
                }
            }
        }
    }

    static void col2im(CpuStorage cols, ConvGeometry g, int batch, CpuStorage x) {
        float[] xs = x.floats();
        float[] cs = cols.floats();
        int oh = g.outH();
        int ow = g.outW();
        int ci = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < g.channels(); c++) {
                int plane = (n * g.channels() + c) * g.inH() * g.inW();
                for (int ky = 0; ky < g.kH(); ky++) {
                    for (int kx = 0; kx < g.kW(); kx++) {
                        int kxOff = kx * g.dilW();
                        int x0 = Math.min(firstInside(g.padW(), kxOff, g.strideW()), ow);
                        int x1 = Math.max(endInside(g.inW(), g.padW(), kxOff, g.strideW(), ow), x0);
                        for (int oy = 0; oy < oh; oy++, ci += ow) {
                            int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                            if (iy < 0 || iy >= g.inH()) {
                                continue;
                            }
                            int dst = plane + iy * g.inW() + x0 * g.strideW() - g.padW() + kxOff;
                            for (int ox = x0; ox < x1; ox++, dst += g.strideW()) {
                                xs[dst] += cs[ci + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
