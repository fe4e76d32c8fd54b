package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.Layout;

/** im2col / col2im over NCHW images: the unfolding that turns convolution and pooling into matmul and reductions. */
final class Windows {
    private Windows() {
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
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                            boolean rowInside = iy >= 0 && iy < g.inH();
                            int rowBase = plane + iy * sh;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * g.strideW() - g.padW() + kx * g.dilW();
                                cs[ci++] = rowInside && ix >= 0 && ix < g.inW() ? xs[rowBase + ix * sw] : padValue;
                            }
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
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                            if (iy < 0 || iy >= g.inH()) {
                                ci += ow;
                                continue;
                            }
                            int rowBase = plane + iy * g.inW();
                            for (int ox = 0; ox < ow; ox++, ci++) {
                                int ix = ox * g.strideW() - g.padW() + kx * g.dilW();
                                if (ix >= 0 && ix < g.inW()) {
                                    xs[rowBase + ix] += cs[ci];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
