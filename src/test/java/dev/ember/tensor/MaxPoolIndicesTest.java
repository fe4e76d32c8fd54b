package dev.ember.tensor;

import dev.ember.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor.maxPool2d's values, indices and gradient routing, worked by hand with PyTorch's rules. */
class MaxPoolIndicesTest {

    private static ConvGeometry pool(int h, int w, int k, int stride, int pad) {
        return new ConvGeometry(1, h, w, k, k, stride, stride, pad, pad, 1, 1);
    }

    @Test
    void overlappingWindowsPickTheirMaximumAndShareItsGradient() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 7, 3, 9, 4, 8, 6}).view(1, 1, 3, 3).requiresGrad(true);
        Tensor.ValuesIndices r = x.maxPool2d(pool(3, 3, 2, 1, 0));
        assertArrayEquals(new float[] {7, 9, 8, 9}, r.values().toFloatArray());
        assertArrayEquals(new long[] {3, 5, 7, 5}, r.indices().toLongArray());
        r.values().sum().backward();
        // position 5 (the 9) wins two windows, so it collects both gradients
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 2, 0, 1, 0}, x.grad().toFloatArray());
    }

    @Test
    void paddingNeverWinsEvenAgainstMinusInfinity() {
        Tensor x = Tensor.full(Float.NEGATIVE_INFINITY, 1, 1, 3, 3);
        Tensor.ValuesIndices r = x.maxPool2d(pool(3, 3, 2, 2, 1));
        // each window's first position inside the image, as PyTorch reports it
        assertArrayEquals(new long[] {0, 1, 3, 4}, r.indices().toLongArray());
    }

    @Test
    void theLastNaNInAWindowWins() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, Float.NaN, 2}).view(1, 1, 2, 2);
        Tensor.ValuesIndices r = x.maxPool2d(pool(2, 2, 2, 2, 0));
        assertTrue(Float.isNaN(r.values().toFloatArray()[0]));
        assertArrayEquals(new long[] {2}, r.indices().toLongArray());
    }

    /** PyTorch's scan, written plainly: window order, a larger value or any NaN takes the window. */
    private static void referencePool(float[][] plane, ConvGeometry g, float[] values, long[] indices, int at) {
        for (int oy = 0; oy < g.outH(); oy++) {
            for (int ox = 0; ox < g.outW(); ox++, at++) {
                float best = Float.NEGATIVE_INFINITY;
                long arg = -1;
                for (int i = 0; i < g.kH(); i++) {
                    for (int j = 0; j < g.kW(); j++) {
                        int y = oy * g.strideH() - g.padH() + i * g.dilH();
                        int x = ox * g.strideW() - g.padW() + j * g.dilW();
                        if (y < 0 || y >= g.inH() || x < 0 || x >= g.inW()) {
                            continue;
                        }
                        float v = plane[y][x];
                        if (arg < 0 || v > best || Float.isNaN(v)) {
                            best = v;
                            arg = (long) y * g.inW() + x;
                        }
                    }
                }
                values[at] = best;
                indices[at] = arg;
            }
        }
    }

    @Test
    void randomWindowsAgreeWithPyTorchsScanOnTiesZerosInfinitiesAndNaNs() {
        float[] pool = {0f, -0f, 1f, 1f, -2f, 3.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0xffc00000)};
        java.util.Random random = new java.util.Random(7);
        int[][] geometries = {{2, 2, 0, 1}, {3, 2, 1, 1}, {2, 1, 0, 1}, {3, 3, 1, 2}, {2, 2, 1, 1}, {1, 1, 0, 1}};
        for (int[] k : geometries) {
            for (int trial = 0; trial < 20; trial++) {
                int h = 3 + random.nextInt(6);
                int w = 3 + random.nextInt(6);
                ConvGeometry g = new ConvGeometry(1, h, w, k[0], k[0], k[1], k[1], k[2], k[2], k[3], k[3]);
                float[] data = new float[2 * h * w];
                // the later trials draw no NaN: planes without one take the CPU's unrolled 2x2 path
                int drawn = trial < 10 ? pool.length : pool.length - 2;
                for (int i = 0; i < data.length; i++) {
                    data[i] = pool[random.nextInt(drawn)];
                }
                // odd trials pool a transposed view, whose planes are not dense
                Tensor x = Tensor.of(data).view(2, 1, trial % 2 == 0 ? h : w, trial % 2 == 0 ? w : h);
                if (trial % 2 == 1) {
                    x = x.transpose(2, 3);
                }
                float[] values = new float[2 * g.outH() * g.outW()];
                long[] indices = new long[values.length];
                for (int n = 0; n < 2; n++) {
                    float[][] plane = new float[h][w];
                    for (int y = 0; y < h; y++) {
                        for (int xx = 0; xx < w; xx++) {
                            plane[y][xx] = (float) x.get(n, 0, y, xx);
                        }
                    }
                    referencePool(plane, g, values, indices, n * g.outH() * g.outW());
                }
                Tensor.ValuesIndices r = x.maxPool2d(g);
                String what = "kernel " + k[0] + " stride " + k[1] + " pad " + k[2] + " dilation " + k[3] + " on " + h + "x" + w;
                assertArrayEquals(indices, r.indices().toLongArray(), what);
                float[] got = r.values().toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    // bit-exact: the winner itself, sign of zero and NaN payload included
                    org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(values[i]),
                            Float.floatToRawIntBits(got[i]), what + " at " + i);
                }
            }
        }
    }

    @Test
    void theGradientOpIsDifferentiableToo() {
        ConvGeometry g = new ConvGeometry(3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1);
        Tensor indices = dev.ember.TestTensors.randn(1, 2, 3, 7, 6).maxPool2d(g).indices();
        dev.ember.autograd.GradCheck.check(t -> Tensor.maxPool2dBackward(t[0], indices, g),
                dev.ember.TestTensors.randn(2, 2, 3, g.outH(), g.outW()));
    }
}
