package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import dev.ember.core.Layout;

import java.util.Arrays;

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

    /** Column rows must be unit-stride runs of L; the batch and row strides are free. */
    private static void checkColumns(Layout cl) {
        if (cl.rank() != 3 || cl.shape().size(2) > 1 && cl.stride(2) != 1) {
            throw new IllegalArgumentException("im2col/col2im: columns need a unit last stride, got " + cl);
        }
    }

    static void im2col(CpuStorage x, Layout xl, ConvGeometry g, float padValue, CpuStorage cols, Layout cl) {
        checkColumns(cl);
        float[] xs = x.floats();
        float[] cs = cols.floats();
        int batch = xl.shape().size(0);
        int sn = xl.stride(0);
        int sc = xl.stride(1);
        int sh = xl.stride(2);
        int sw = xl.stride(3);
        for (int n = 0; n < batch; n++) {
            im2colImage(xs, xl.offset() + n * sn, sc, sh, sw, g, padValue, cs, cl.offset() + n * cl.stride(0), cl.stride(1));
        }
    }

    /** One image's column rows: the plane of channel c at {@code image + c*sc}, row r at {@code cols + r*rowStride}. */
    static void im2colImage(float[] xs, int image, int sc, int sh, int sw, ConvGeometry g, float padValue,
                            float[] cs, int cols, int rowStride) {
        int oh = g.outH();
        int ow = g.outW();
        int row = 0;
        for (int c = 0; c < g.channels(); c++) {
            int plane = image + c * sc;
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, row++) {
                    int ci = cols + row * rowStride;
                    int kxOff = kx * g.dilW();
                    int x0 = Math.min(firstInside(g.padW(), kxOff, g.strideW()), ow);
                    int x1 = Math.max(endInside(g.inW(), g.padW(), kxOff, g.strideW(), ow), x0);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                        if (iy < 0 || iy >= g.inH()) {
                            Arrays.fill(cs, ci, ci + ow, padValue);
                            ci += ow;
                            continue;
                        }
                        // the padded edges are a few elements: plain loops, not Arrays.fill's per-call checks
                        for (int i = ci; i < ci + x0; i++) {
                            cs[i] = padValue;
                        }
                        int src = plane + iy * sh + (x0 * g.strideW() - g.padW() + kxOff) * sw;
                        int step = g.strideW() * sw;
                        if (step == 1) {
                            System.arraycopy(xs, src, cs, ci + x0, x1 - x0);
                        } else {
                            for (int ox = x0, at = src; ox < x1; ox++, at += step) {
                                cs[ci + ox] = xs[at];
                            }
                        }
                        for (int i = ci + x1; i < ci + ow; i++) {
                            cs[i] = padValue;
                        }
                        ci += ow;
                    }
                }
            }
        }
    }

    static void col2im(CpuStorage cols, Layout cl, ConvGeometry g, CpuStorage x) {
        checkColumns(cl);
        float[] xs = x.floats();
        float[] cs = cols.floats();
        int batch = cl.shape().size(0);
        for (int n = 0; n < batch; n++) {
            col2imImage(cs, cl.offset() + n * cl.stride(0), cl.stride(1), g, xs, n * g.channels() * g.inH() * g.inW());
        }
    }

    /** Adds one image's column rows (row r at {@code cols + r*rowStride}) into its dense planes at {@code image}. */
    static void col2imImage(float[] cs, int cols, int rowStride, ConvGeometry g, float[] xs, int image) {
        int oh = g.outH();
        int ow = g.outW();
        int row = 0;
        for (int c = 0; c < g.channels(); c++) {
            int plane = image + c * g.inH() * g.inW();
            for (int ky = 0; ky < g.kH(); ky++) {
                for (int kx = 0; kx < g.kW(); kx++, row++) {
                    int ci = cols + row * rowStride;
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

    /**
     * See {@code Backend.maxPool2d}; the window's first inside position wins when all are -inf. The
     * scan compares {@link FloatCompare#rankKey} ints, never floats: C2 compiles a float comparison
     * that picks a value into a branch, which on activations mispredicts about half the time (pooling
     * cost ~30 ns per output; int keys and conditional moves a third of that). The running key stays
     * below NaN's, so a later NaN takes the window again (the last NaN wins, as in PyTorch), and the
     * output is read back at the winner's offset, so it is exactly that element.
     */
    static void maxPool2d(CpuStorage x, Layout xl, ConvGeometry g, CpuStorage out, CpuStorage indices) {
        if (xl.stride(3) != 1 || xl.stride(2) != g.inW()) {  // index arithmetic below needs dense planes
            Layout dense = Layout.contiguous(xl.shape());
            CpuStorage copy = CpuStorage.allocate(DType.FLOAT32, dense.shape().numel());
            Elementwise.copy(x, xl, copy, dense);
            maxPool2d(copy, dense, g, out, indices);
            return;
        }
        float[] xs = x.floats();
        float[] os = out.floats();
        long[] is = indices.longs();
        int inW = g.inW();
        int dilH = g.dilH();
        int dilW = g.dilW();
        // each window's inside kernel range, per output row and column (divisions done once here)
        int[] ky = kernelRanges(g.outH(), g.strideH(), g.padH(), dilH, g.kH(), g.inH());
        int[] kx = kernelRanges(g.outW(), g.strideW(), g.padW(), dilW, g.kW(), inW);
        boolean halving = g.kH() == 2 && g.kW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0
                && g.padW() == 0 && dilH == 1 && dilW == 1;
        int oh = g.outH();
        int ow = g.outW();
        int strideH = g.strideH();
        int strideW = g.strideW();
        int padH = g.padH();
        int padW = g.padW();
        int channels = g.channels();
        int planes = xl.shape().size(0) * channels;
        for (int p = 0; p < planes; p++) {
            int plane = xl.offset() + p / channels * xl.stride(0) + p % channels * xl.stride(1);
            int o = p * oh * ow;
            if (halving && halve(xs, plane, inW, oh, ow, os, is, o)) {
                continue;
            }
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * strideH - padH;
                int ky0 = ky[2 * oy];
                int ky1 = ky[2 * oy + 1];
                for (int ox = 0; ox < ow; ox++, o++) {
                    int x0 = ox * strideW - padW;
                    int kx0 = kx[2 * ox];
                    int kx1 = kx[2 * ox + 1];
                    // the winner as its h*W + w, the index reported (planes are dense: see above)
                    int arg = (y0 + ky0 * dilH) * inW + x0 + kx0 * dilW;
                    int best = Integer.MIN_VALUE;
                    for (int i = ky0; i < ky1; i++) {
                        int rowIdx = (y0 + i * dilH) * inW + x0;
                        for (int j = kx0; j < kx1; j++) {
                            int idx = rowIdx + j * dilW;
                            int key = FloatCompare.rankKey(xs[plane + idx]);
                            arg = key > best ? idx : arg;
                            best = Math.min(Math.max(best, key), Integer.MAX_VALUE - 1);
                        }
                    }
                    os[o] = xs[plane + arg];
                    is[o] = arg;
                }
            }
        }
    }

    /** See {@code Backend.maxPool2dBackward}. */
    static void maxPool2dBackward(CpuStorage gOut, CpuStorage indices, ConvGeometry g, int planes, CpuStorage gx) {
        float[] gs = gOut.floats();
        long[] is = indices.longs();
        float[] xs = gx.floats();
        int pixels = g.inH() * g.inW();
        int outputs = g.outH() * g.outW();
        Arrays.fill(xs, 0, planes * pixels, 0f);
        for (int p = 0, o = 0; p < planes; p++) {
            int plane = p * pixels;
            for (int end = o + outputs; o < end; o++) {
                xs[plane + (int) is[o]] += gs[o];
            }
        }
    }

    /**
     * The common 2x2 pooling at stride 2 of one dense plane (at {@code plane}, rows {@code w} apart) into
     * outputs from {@code o}, unrolled and branch-free: which element wins is a coin toss on real
     * activations, and branches mispredict. Keys are {@link FloatCompare#key} of the bits, cheaper
     * than {@link FloatCompare#rankKey} because they ignore NaN; the plane's NaNs are detected on the way
     * instead, and false returned (the outputs then unreliable) for the exact scan to redo the plane.
     * The Fashion cnn's first pooling (2,048 planes of 28x28) took 7 ms with rank keys, 4.3 ms so.
     */
    private static boolean halve(float[] xs, int plane, int w, int oh, int ow, float[] os, long[] is, int o) {
        int nan = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0, first = 2 * oy * w; ox < ow; ox++, o++, first += 2) {
                int at = plane + first;
                int b0 = Float.floatToRawIntBits(xs[at]);
                int b1 = Float.floatToRawIntBits(xs[at + 1]);
                int b2 = Float.floatToRawIntBits(xs[at + w]);
                int b3 = Float.floatToRawIntBits(xs[at + w + 1]);
                nan |= FloatCompare.negativeIfNaN(b0) | FloatCompare.negativeIfNaN(b1) | FloatCompare.negativeIfNaN(b2)
                        | FloatCompare.negativeIfNaN(b3);
                // strictly greater takes the window (all ones), so the first of equal values keeps it
                int best = FloatCompare.key(b0);
                int k = FloatCompare.key(b1);
                int wins = -FloatCompare.less(best, k);
                int off = 1 & wins;
                best = best & ~wins | k & wins;
                k = FloatCompare.key(b2);
                wins = -FloatCompare.less(best, k);
                off = off & ~wins | w & wins;
                best = best & ~wins | k & wins;
                k = FloatCompare.key(b3);
                wins = -FloatCompare.less(best, k);
                off = off & ~wins | w + 1 & wins;
                os[o] = xs[at + off];
                is[o] = first + off;
            }
        }
        return nan >= 0;
    }

    /** For each output position along one axis, [first, end) of the kernel offsets that land inside. */
    private static int[] kernelRanges(int outSize, int stride, int pad, int dil, int kernel, int size) {
        int[] ranges = new int[2 * outSize];
        for (int o = 0; o < outSize; o++) {
            int start = o * stride - pad;
            ranges[2 * o] = kernelStart(start, dil);
            ranges[2 * o + 1] = kernelEnd(start, dil, kernel, size);
        }
        return ranges;
    }

    /** First kernel offset k with {@code start + k*dil >= 0}. */
    private static int kernelStart(int start, int dil) {
        return start >= 0 ? 0 : (-start + dil - 1) / dil;
    }

    /** One past the last kernel offset k < kernel with {@code start + k*dil < size}. */
    private static int kernelEnd(int start, int dil, int kernel, int size) {
        return start >= size ? 0 : Math.min(kernel, (size - 1 - start) / dil + 1);
    }
}
