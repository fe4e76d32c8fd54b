package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.Layout;

import java.util.Arrays;

/**
 * 2-D convolution one image at a time (a few at a time when images are small, see {@link
 * #CHUNK_FLOATS}), so that the columns stay in the core's cache and the product reaches the NCHW
 * output, bias added, while still there. Unfolding the whole batch first (one large GEMM) wrote and
 * re-read megabytes of columns and needed a permuting copy of the output; at LeNet's sizes that
 * traffic cost more than the GEMMs. The backward passes unfold again instead of keeping columns.
 *
 * <p>With unit strides the columns are "shifted rows": the input plane (zero-padded when the geometry
 * pads) is read at a row pitch of its padded width, so column row (c, ky, kx) is one contiguous slice
 * of plane c starting at ky*dilH*pitch + kx*dilW, and the product's row o holds output (oy, ox) at
 * oy*pitch + ox. The few positions past each output row are computed and dropped (their gradient is
 * zero). This replaces C*kH*kW*outH copies of outW floats (10 each in LeNet's second convolution)
 * with C*kH*kW long ones. Other strides unfold with {@link Windows#im2colImage} (pitch outW).
 */
final class Convolution {
    private Convolution() {
    }

    /** The per-image layout of the column matrix [K, length] and of the product rows. */
    private record Plan(ConvGeometry g, int k, int pitch, int length, boolean shifted, int paddedH) {
        static Plan of(ConvGeometry g) {
            boolean shifted = g.strideH() == 1 && g.strideW() == 1;
            int pitch = shifted ? g.inW() + 2 * g.padW() : g.outW();
            int length = shifted ? (g.outH() - 1) * pitch + g.outW() : g.outH() * g.outW();
            return new Plan(g, g.colRows(), pitch, length, shifted, g.inH() + 2 * g.padH());
        }

        /** A buffer for one image's (padded) planes, or none when the columns read the input directly. */
        float[] planes() {
            return shifted ? new float[g.channels() * paddedH * pitch] : null;
        }

        /** Unfolds images [first, first + images) side by side: image j's row r at {@code j*length + r*ld}. */
        void unfold(float[] xs, Layout xl, int first, int images, float[] planes, float[] cols, int ld) {
            for (int j = 0; j < images; j++) {
                unfold(xs, xl, first + j, planes, cols, j * length, ld);
            }
        }

        /**
         * Writes image n's columns into cols, row r at {@code at + r*ld}, {@code length} floats each;
         * {@code planes} is scratch from {@link #planes}.
         */
        private void unfold(float[] xs, Layout xl, int n, float[] planes, float[] cols, int at, int ld) {
            int image = xl.offset() + n * xl.stride(0);
            if (!shifted) {
                Windows.im2colImage(xs, image, xl.stride(1), xl.stride(2), xl.stride(3), g, 0f, cols, at, ld);
                return;
            }
            int h = g.inH();
            int w = g.inW();
            int sw = xl.stride(3);
            for (int c = 0; c < g.channels(); c++) {
                int plane = c * paddedH * pitch;
                for (int y = 0; y < h; y++) {
                    int src = image + c * xl.stride(1) + y * xl.stride(2);
                    int dst = plane + (y + g.padH()) * pitch + g.padW();
                    if (sw == 1) {
                        System.arraycopy(xs, src, planes, dst, w);
                    } else {
                        for (int i = 0; i < w; i++) {
                            planes[dst + i] = xs[src + i * sw];
                        }
                    }
                }
            }
            int row = 0;
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < g.kH(); ky++) {
                    for (int kx = 0; kx < g.kW(); kx++, row++) {
                        System.arraycopy(planes, start(c, ky, kx), cols, at + row * ld, length);
                    }
                }
            }
        }

        /** Where column row (c, ky, kx) starts in the padded planes. */
        int start(int c, int ky, int kx) {
            return c * paddedH * pitch + ky * g.dilH() * pitch + kx * g.dilW();
        }

        /**
         * Adds image n's column gradient (row r at {@code at + r*ld}) onto its pixels in gx (dense,
         * zeroed); {@code planes} and {@code scratch} come from {@link #planes}.
         */
        void fold(float[] cols, int at, int ld, float[] planes, float[] scratch, float[] gx, int n) {
            int image = n * g.channels() * g.inH() * g.inW();
            if (!shifted) {
                Windows.col2imImage(cols, at, ld, g, gx, image);
                return;
            }
            Arrays.fill(planes, 0f);
            int row = 0;
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < g.kH(); ky++) {
                    for (int kx = 0; kx < g.kW(); kx++, row++) {
                        // the row is first copied to its place in a scratch plane, so that the adding loop
                        // indexes both arrays alike and vectorises (see Elementwise.alignedBinary)
                        int dst = start(c, ky, kx);
                        System.arraycopy(cols, at + row * ld, scratch, dst, length);
                        for (int i = dst; i < dst + length; i++) {
                            planes[i] += scratch[i];
                        }
                    }
                }
            }
            for (int c = 0; c < g.channels(); c++) {
                for (int y = 0; y < g.inH(); y++) {
                    System.arraycopy(planes, (c * paddedH + y + g.padH()) * pitch + g.padW(), gx,
                            image + (c * g.inH() + y) * g.inW(), g.inW());
                }
            }
        }
    }

    /**
     * Column floats per GEMM: small images are multiplied several at a time (fewer, larger calls), but
     * LeNet-sized ones (2·10^4 floats each) one by one, which measured fastest: larger chunks fall out
     * of the core's cache.
     */
    private static final int CHUNK_FLOATS = 1 << 15;

    /** Images per GEMM: as many as fit {@link #CHUNK_FLOATS}, at least one. */
    private static int chunk(Plan plan, int batch) {
        return Math.max(1, Math.min(batch, CHUNK_FLOATS / (plan.k() * plan.length())));
    }

    /**
     * How many contiguous parts of the batch run side by side, each on its own thread with its own
     * scratch: the BLAS ceiling's worth (all cores for one trainer in a JVM, 1 in a Spark task) when
     * every GEMM is small enough to run on its caller's thread ({@link BlasThreads#PARALLEL_MIN}), as
     * LeNet's are. Without the split such convolutions used one core of two.
     */
    private static int parts(Plan plan, int batch, int outChannels) {
        long product = (long) outChannels * chunk(plan, batch) * plan.length() * plan.k();
        return product < BlasThreads.PARALLEL_MIN ? Math.max(1, Math.min(BlasThreads.ceiling(), batch)) : 1;
    }

    /** out [N, O, oh, ow] (dense) = weight [O, K] x the columns of each image, plus bias [O] (or null). */
    static void forward(CpuStorage x, Layout xl, CpuStorage weight, CpuStorage bias, ConvGeometry g, int outChannels,
                        CpuStorage out) {
        Plan plan = Plan.of(g);
        int batch = xl.shape().size(0);
        ImageRanges.run(batch, parts(plan, batch, outChannels), (part, from, to) -> forward(plan, x.floats(), xl,
                weight.floats(), bias == null ? null : bias.floats(), outChannels, out.floats(), from, to));
    }

    private static void forward(Plan plan, float[] xs, Layout xl, float[] ws, float[] bs, int outChannels, float[] os,
                                int from, int to) {
        ConvGeometry g = plan.g();
        int oh = g.outH();
        int ow = g.outW();
        int l = oh * ow;
        int chunk = chunk(plan, to - from);
        int ld = chunk * plan.length();
        float[] planes = plan.planes();
        float[] cols = new float[plan.k() * ld];
        float[] product = new float[outChannels * ld];
        for (int first = from; first < to; first += chunk) {
            int images = Math.min(chunk, to - first);
            plan.unfold(xs, xl, first, images, planes, cols, ld);
            Gemm.rowMajor(false, false, outChannels, images * plan.length(), plan.k(), ws, 0, plan.k(), cols, 0, ld,
                    0f, product, 0, ld);
            for (int j = 0; j < images; j++) {
                int at = (first + j) * outChannels * l;
                for (int o = 0; o < outChannels; o++) {
                    float b = bs == null ? 0f : bs[o];
                    int src = o * ld + j * plan.length();
                    for (int oy = 0; oy < oh; oy++, src += plan.pitch()) {
                        for (int i = 0, dst = at + (o * oh + oy) * ow; i < ow; i++) {
                            os[dst + i] = product[src + i] + b;
                        }
                    }
                }
            }
        }
    }

    /** gx [N, C, H, W] (dense, overwritten) = each image's column gradient W^T gOut[n], folded onto its pixels. */
    static void backwardInput(CpuStorage gOut, CpuStorage weight, ConvGeometry g, int outChannels, int batch,
                              CpuStorage gx) {
        Plan plan = Plan.of(g);
        ImageRanges.run(batch, parts(plan, batch, outChannels), (part, from, to) -> backwardInput(plan, gOut.floats(),
                weight.floats(), outChannels, gx.floats(), from, to));
    }

    private static void backwardInput(Plan plan, float[] gs, float[] ws, int outChannels, float[] xs, int from, int to) {
        ConvGeometry g = plan.g();
        int pixels = g.channels() * g.inH() * g.inW();
        Arrays.fill(xs, from * pixels, to * pixels, 0f);
        int chunk = chunk(plan, to - from);
        int ld = chunk * plan.length();
        float[] planes = plan.planes();
        float[] scratch = plan.planes();
        float[] cols = new float[plan.k() * ld];
        float[] spread = new float[outChannels * ld];
        for (int first = from; first < to; first += chunk) {
            int images = Math.min(chunk, to - first);
            spread(gs, first, images, g, outChannels, plan, spread, ld);
            Gemm.rowMajor(true, false, plan.k(), images * plan.length(), outChannels, ws, 0, plan.k(), spread, 0, ld,
                    0f, cols, 0, ld);
            for (int j = 0; j < images; j++) {
                plan.fold(cols, j * plan.length(), ld, planes, scratch, xs, first + j);
            }
        }
    }

    /**
     * gWeight [O, K] (dense, overwritten) = the sum over images of gOut[n] times x[n]'s columns transposed:
     * each part of the batch sums its images, then the parts are added in order (deterministic for a
     * given batch size and thread count).
     */
    static void backwardWeight(CpuStorage gOut, CpuStorage x, Layout xl, ConvGeometry g, int outChannels,
                               CpuStorage gWeight) {
        Plan plan = Plan.of(g);
        int batch = xl.shape().size(0);
        int parts = parts(plan, batch, outChannels);
        // accumulated transposed, [K, O]: OpenBLAS runs this orientation ~25 % faster at LeNet's sizes
        float[][] sums = new float[parts][];
        ImageRanges.run(batch, parts, (part, from, to) -> sums[part] =
                backwardWeight(plan, gOut.floats(), x.floats(), xl, outChannels, from, to));
        float[] transposed = sums[0];
        for (int p = 1; p < parts; p++) {
            for (int i = 0; i < transposed.length; i++) {
                transposed[i] += sums[p][i];
            }
        }
        float[] gws = gWeight.floats();
        for (int o = 0; o < outChannels; o++) {
            for (int r = 0; r < plan.k(); r++) {
                gws[o * plan.k() + r] = transposed[r * outChannels + o];
            }
        }
    }

    /** Images [from, to)'s share of the weight gradient, transposed [K, O]. */
    private static float[] backwardWeight(Plan plan, float[] gs, float[] xs, Layout xl, int outChannels, int from,
                                          int to) {
        float[] transposed = new float[plan.k() * outChannels];
        int chunk = chunk(plan, to - from);
        int ld = chunk * plan.length();
        float[] planes = plan.planes();
        float[] cols = new float[plan.k() * ld];
        float[] spread = new float[outChannels * ld];
        for (int first = from; first < to; first += chunk) {
            int images = Math.min(chunk, to - first);
            plan.unfold(xs, xl, first, images, planes, cols, ld);
            spread(gs, first, images, plan.g(), outChannels, plan, spread, ld);
            Gemm.rowMajor(false, true, plan.k(), outChannels, images * plan.length(), cols, 0, ld, spread, 0, ld, 1f,
                    transposed, 0, outChannels);
        }
        return transposed;
    }

    /**
     * Images [first, first + images) of gOut laid out like the product: row o of {@code spread} [O, ld]
     * holds image j's plane o from j*length at the row pitch. Positions between output rows are never
     * written and stay zero, so they add nothing to either gradient.
     */
    private static void spread(float[] gs, int first, int images, ConvGeometry g, int outChannels, Plan plan,
                               float[] spread, int ld) {
        int oh = g.outH();
        int ow = g.outW();
        for (int j = 0; j < images; j++) {
            int at = (first + j) * outChannels * oh * ow;
            for (int o = 0; o < outChannels; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    System.arraycopy(gs, at + (o * oh + oy) * ow, spread, o * ld + j * plan.length() + oy * plan.pitch(), ow);
                }
            }
        }
    }
}
