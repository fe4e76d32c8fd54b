package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.backend.Backend;
import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;
import dev.ember.tensor.random.Generator;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * The CPU's own kernels for ops that Backend composes by default (the paths other backends inherit):
 * the image-by-image convolution, on one thread or with the batch split over several, against
 * unfolding the whole batch and multiplying once (same values within float rounding, forward and
 * both gradients, on strided input), max pooling's gradient against
 * zero-fill and scatter-add, batch norm's fused passes against its composition from reductions and
 * broadcasting.
 */
class CpuKernelsVsDefaultsTest {

    /** The CPU backend with its own convolution hidden: Backend's default methods run instead. */
    private static Backend composed() {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(CpuBackend.INSTANCE, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private static Storage random(long seed, int n) {
        float[] v = new float[n];
        new Generator(seed).normal(v, 0, n, 0, 1);
        return CpuBackend.INSTANCE.upload(v, DType.FLOAT32);
    }

    private static void assertClose(Storage expected, Storage actual, String what) {
        float[] e = CpuBackend.INSTANCE.downloadFloats(expected);
        float[] a = CpuBackend.INSTANCE.downloadFloats(actual);
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4 * (1 + Math.abs(e[i])), what + " at " + i);
        }
    }

    @Test
    void imageByImageMatchesTheBatchedDefault() {
        int ceiling = BlasThreads.ceiling();
        try {
            // one part, and three uneven parts of the batch run side by side (2, 3 and 3 images)
            for (int threads : new int[] {1, 3}) {
                BlasThreads.set(threads);
                convolutionsMatchTheBatchedDefault();
            }
        } finally {
            BlasThreads.set(ceiling);
        }
    }

    private void convolutionsMatchTheBatchedDefault() {
        Backend cpu = CpuBackend.INSTANCE;
        Backend batched = composed();
        int[][] cases = {{1, 28, 28, 5, 1, 2, 1, 6}, {6, 14, 14, 5, 1, 0, 1, 16}, {3, 9, 8, 3, 2, 1, 2, 4},
                {2, 9, 7, 3, 1, 1, 2, 3}, {2, 5, 6, 1, 1, 0, 1, 3}};
        for (int[] c : cases) {
            ConvGeometry g = new ConvGeometry(c[0], c[1], c[2], c[3], c[3], c[4], c[4], c[5], c[5], c[6], c[6]);
            int batch = 8;  // more than one GEMM chunk of images for LeNet's sizes
            int outChannels = c[7];
            String what = "C" + c[0] + " " + c[1] + "x" + c[2] + " kernel " + c[3] + " stride " + c[4];
            // x stored as [N, C, W, H] and read transposed: a strided input
            Storage x = random(1, batch * c[0] * c[1] * c[2]);
            Layout xl = Layout.contiguous(Shape.of(batch, c[0], c[2], c[1])).permute(0, 1, 3, 2);
            Storage w = random(2, outChannels * g.colRows());
            Storage bias = random(3, outChannels);
            int outSize = batch * outChannels * g.colCols();
            Storage gOut = random(4, outSize);

            Storage expected = cpu.allocate(DType.FLOAT32, outSize);
            Storage actual = cpu.allocate(DType.FLOAT32, outSize);
            batched.conv2d(x, xl, w, bias, g, outChannels, expected);
            cpu.conv2d(x, xl, w, bias, g, outChannels, actual);
            assertClose(expected, actual, "forward " + what);

            int inSize = batch * c[0] * c[1] * c[2];
            expected = random(5, inSize);  // overwritten, whatever was there
            actual = random(6, inSize);
            batched.conv2dBackwardInput(gOut, w, g, outChannels, batch, expected);
            cpu.conv2dBackwardInput(gOut, w, g, outChannels, batch, actual);
            assertClose(expected, actual, "input gradient " + what);

            expected = random(7, outChannels * g.colRows());
            actual = random(8, outChannels * g.colRows());
            batched.conv2dBackwardWeight(gOut, x, xl, g, outChannels, expected);
            cpu.conv2dBackwardWeight(gOut, x, xl, g, outChannels, actual);
            assertClose(expected, actual, "weight gradient " + what);
        }
    }

    @Test
    void maxPoolGradientMatchesScatterAdd() {
        Backend cpu = CpuBackend.INSTANCE;
        // overlapping 3x3 windows at stride 2 with padding: some pixels win several windows
        ConvGeometry g = new ConvGeometry(1, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1);
        int planes = 5;
        Storage x = random(9, planes * 72);
        Storage values = cpu.allocate(DType.FLOAT32, planes * g.colCols());
        Storage indices = cpu.allocate(DType.INT64, planes * g.colCols());
        cpu.maxPool2d(x, Layout.contiguous(Shape.of(planes, 1, 9, 8)), g, values, indices);
        Storage gOut = random(10, planes * g.colCols());
        Storage expected = random(11, planes * 72);
        Storage actual = random(12, planes * 72);
        composed().maxPool2dBackward(gOut, indices, g, planes, expected);
        cpu.maxPool2dBackward(gOut, indices, g, planes, actual);
        assertClose(expected, actual, "max pooling gradient");
    }
    @Test
    void batchNormMatchesTheComposedDefault() {
        Backend cpu = CpuBackend.INSTANCE;
        Backend composed = composed();
        int[][] cases = {{4, 3, 5}, {7, 2, 1}, {2, 5, 33}};
        for (int[] k : cases) {
            int n = k[0];
            int c = k[1];
            int s = k[2];
            int size = n * c * s;
            float[] shifted = CpuBackend.INSTANCE.downloadFloats(random(20, size));
            for (int i = 0; i < size; i++) {
                shifted[i] = 3 + 2 * shifted[i];  // a mean away from 0, so centring matters
            }
            Storage x = cpu.upload(shifted, DType.FLOAT32);
            String what = "[" + n + ", " + c + ", " + s + "]";
            Storage[] expected = {cpu.allocate(DType.FLOAT32, c), cpu.allocate(DType.FLOAT32, c)};
            Storage[] actual = {random(21, c), random(22, c)};
            composed.batchNormStats(x, n, c, s, expected[0], expected[1]);
            cpu.batchNormStats(x, n, c, s, actual[0], actual[1]);
            assertClose(expected[0], actual[0], "mean " + what);
            assertClose(expected[1], actual[1], "variance " + what);

            Storage mean = actual[0];
            Storage invstd = random(23, c);
            Storage g = random(24, size);
            for (boolean affine : new boolean[] {true, false}) {
                Storage weight = affine ? random(25, c) : null;
                Storage bias = affine ? random(26, c) : null;
                String which = what + (affine ? " affine" : " without weight and bias");
                Storage out = random(27, size);
                Storage reference = cpu.allocate(DType.FLOAT32, size);
                composed.batchNorm(x, n, c, s, mean, invstd, weight, bias, reference);
                cpu.batchNorm(x, n, c, s, mean, invstd, weight, bias, out);
                assertClose(reference, out, "output " + which);
                for (boolean batchStats : new boolean[] {true, false}) {
                    String mode = which + (batchStats ? ", batch statistics" : ", running statistics");
                    Storage[] want = {cpu.allocate(DType.FLOAT32, size), cpu.allocate(DType.FLOAT32, c),
                        cpu.allocate(DType.FLOAT32, c)};
                    Storage[] got = {random(28, size), random(29, c), random(30, c)};
                    composed.batchNormBackward(g, x, n, c, s, mean, invstd, weight, batchStats, want[0], want[1], want[2]);
                    cpu.batchNormBackward(g, x, n, c, s, mean, invstd, weight, batchStats, got[0], got[1], got[2]);
                    assertClose(want[0], got[0], "input gradient " + mode);
                    assertClose(want[1], got[1], "weight gradient " + mode);
                    assertClose(want[2], got[2], "bias gradient " + mode);
                    // only the input's gradient wanted
                    Storage alone = random(31, size);
                    cpu.batchNormBackward(g, x, n, c, s, mean, invstd, weight, batchStats, alone, null, null);
                    assertClose(want[0], alone, "input gradient alone " + mode);
                }
            }
        }
    }

    @Test
    void fusedOptimizerStepsHaveTheComposedBits() {
        Backend cpu = CpuBackend.INSTANCE;
        Backend composed = composed();
        int n = 301;
        Layout dense = Layout.contiguous(Shape.of(n));
        for (boolean variant : new boolean[] {false, true}) {
            for (double weightDecay : new double[] {0, 0.05}) {
                Storage[] fused = {random(30, n), random(31, n), random(32, n), squares(random(33, n))};
                Storage[] reference = new Storage[4];
                for (int i = 0; i < 4; i++) {
                    reference[i] = cpu.upload(cpu.downloadFloats(fused[i]), DType.FLOAT32);
                }
                for (int step = 1; step <= 3; step++) {
                    // Adam or AdamW, then SGD with momentum or Nesterov on the same parameter
                    for (Backend b : new Backend[] {cpu, composed}) {
                        Storage[] t = b == cpu ? fused : reference;
                        b.adam(3e-3, 0.9, 0.999, 1e-8, weightDecay, variant, step, t[0], dense, t[1], dense, t[2], dense,
                                t[3], dense);
                        b.sgdMomentum(0.1, 0.9, 0.1, weightDecay, variant, t[0], dense, t[1], dense, t[2], dense);
                    }
                }
                String what = (variant ? "adamw, nesterov" : "adam, momentum") + ", weight decay " + weightDecay;
                String[] names = {"parameters", "gradient", "first moment / momentum", "second moment"};
                for (int i = 0; i < 4; i++) {
                    float[] e = cpu.downloadFloats(reference[i]);
                    float[] a = cpu.downloadFloats(fused[i]);
                    for (int j = 0; j < n; j++) {
                        assertEquals(Float.floatToIntBits(e[j]), Float.floatToIntBits(a[j]),
                                what + ": " + names[i] + " at " + j + ": " + a[j] + " fused, " + e[j] + " composed");
                    }
                }
            }
        }
    }

    /** Each element squared: a valid second moment (Adam takes its square root). */
    private static Storage squares(Storage s) {
        float[] v = CpuBackend.INSTANCE.downloadFloats(s);
        for (int i = 0; i < v.length; i++) {
            v[i] *= v[i];
        }
        return CpuBackend.INSTANCE.upload(v, DType.FLOAT32);
    }
}
