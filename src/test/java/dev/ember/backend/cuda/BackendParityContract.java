package dev.ember.backend.cuda;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.cpu.CpuBackend;
import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every Backend primitive on the CUDA backend against CpuBackend (batch norm: Backend's composed
 * defaults, which CUDA inherits, against the CPU's fused kernels), on random inputs seen through
 * transposed, broadcast (stride 0), offset and sliced layouts. FP32 results agree to a relative
 * 1e-5 (sums and products relative to the sum of magnitudes, which bounds any summation order's
 * error); integer results exactly. Subclasses say which CUDA backend: a real device or the CPU
 * simulation of the kernels.
 */
abstract class BackendParityContract {
    private static final double RTOL = 1e-5;

    final Backend cpu = CpuBackend.INSTANCE;
    final Random rng = new Random(42);

    /** The CUDA backend under test. */
    abstract CudaBackend gpu();

    // ---- twins: the same contents on both backends ----

    /** One logical tensor storage, held by both backends. */
    record Twin(Storage cpu, Storage gpu) {
    }

    /** Runs an op on one backend; {@code side} picks that backend's storage of each twin. */
    interface Op {
        void apply(Backend b, java.util.function.Function<Twin, Storage> side);
    }

    void both(Op op) {
        op.apply(cpu, Twin::cpu);
        op.apply(gpu(), Twin::gpu);
    }

    Twin floats(float[] data, DType dtype) {
        return new Twin(cpu.upload(data, dtype), gpu().upload(data, dtype));
    }

    Twin longs(long[] data) {
        return new Twin(cpu.upload(data), gpu().upload(data));
    }

    Twin randn(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) rng.nextGaussian();
        }
        return floats(d, DType.FLOAT32);
    }

    Twin uniform(int n, float lo, float hi) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = lo + (hi - lo) * rng.nextFloat();
        }
        return floats(d, DType.FLOAT32);
    }

    Twin smallInts(int n, int bound) {
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = rng.nextInt(2 * bound + 1) - bound;
        }
        return longs(d);
    }

    Twin bools(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = rng.nextBoolean() ? 1f : 0f;
        }
        return floats(d, DType.BOOL);
    }

    /** An output filled with a sentinel on both sides, so unwritten elements would differ from nothing. */
    Twin output(DType dtype, int n) {
        Twin t = new Twin(cpu.allocate(dtype, n), gpu().allocate(dtype, n));
        both((b, s) -> b.fill(s.apply(t), Layout.contiguous(Shape.of(n)), -7));
        return t;
    }

    void assertSame(String what, Twin t) {
        assertClose(what, t, RTOL, 0);
    }

    void assertClose(String what, Twin t, double rtol, double atol) {
        if (t.cpu().dtype() == DType.INT64) {
            assertArrayEquals(cpu.downloadLongs(t.cpu()), gpu().downloadLongs(t.gpu()), what);
            return;
        }
        float[] expected = cpu.downloadFloats(t.cpu());
        float[] actual = gpu().downloadFloats(t.gpu());
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : e == a || Math.abs(e - a) <= rtol * Math.max(Math.abs(e), Math.abs(a)) + atol;
            if (!ok) {
                fail(what + ": element " + i + " is " + a + " on CUDA, " + e + " on the CPU");
            }
        }
    }

    /** Relative to a per-element scale, e.g. the sum of |terms| of a dot product. */
    void assertCloseScaled(String what, Twin t, float[] scale, double rtol) {
        float[] expected = cpu.downloadFloats(t.cpu());
        float[] actual = gpu().downloadFloats(t.gpu());
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= rtol * scale[i] + 1e-30)) {
                fail(what + ": element " + i + " is " + actual[i] + " on CUDA, " + expected[i] + " on the CPU (scale "
                        + scale[i] + ")");
            }
        }
    }

    static Layout contiguous(int... dims) {
        return Layout.contiguous(Shape.of(dims));
    }

    /** A [rows, cols] view with the elements stored column-major, starting at {@code offset}. */
    static Layout transposed(int rows, int cols, int offset) {
        return new Layout(Shape.of(rows, cols), new int[] {1, rows}, offset);
    }

    // ---- fill and copy ----

    @Test
    void fillWritesThroughStridedLayouts() {
        Twin f = output(DType.FLOAT32, 60);
        Layout every3rd = new Layout(Shape.of(4, 5), new int[] {15, 3}, 1);
        both((b, s) -> b.fill(s.apply(f), every3rd, 2.5));
        assertSame("float fill", f);
        Twin l = output(DType.INT64, 60);
        both((b, s) -> b.fill(s.apply(l), transposed(6, 10, 0), -3.9));
        assertSame("int64 fill truncates", l);
    }

    @Test
    void copyConvertsDtypesThroughAnyLayout() {
        Twin x = uniform(120, -3, 3);
        Twin ints = smallInts(120, 5);
        Layout src = contiguous(10, 12).permute(1, 0).narrow(0, 2, 8);  // [8,10], strides (1,12), offset 2
        for (DType to : DType.values()) {
            Twin out = output(to, 80);
            both((b, s) -> b.copy(s.apply(x), src, s.apply(out), contiguous(8, 10)));
            assertSame("float32 -> " + to, out);
            Twin out2 = output(to, 80);
            both((b, s) -> b.copy(s.apply(ints), src, s.apply(out2), contiguous(8, 10)));
            assertSame("int64 -> " + to, out2);
        }
        Twin flags = bools(12);
        Twin out = output(DType.FLOAT32, 36);
        Layout broadcastRows = contiguous(12).expand(Shape.of(3, 12));
        both((b, s) -> b.copy(s.apply(flags), broadcastRows, s.apply(out), contiguous(3, 12)));
        assertSame("bool broadcast -> float32", out);
    }

    // ---- unary ----

    @Test
    void everyUnaryOpOnFloats() {
        Layout xl = transposed(24, 17, 3);
        Layout ol = contiguous(24, 17);
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW_SCALAR;
            Twin x = positive ? uniform(3 + 24 * 17, 0.05f, 4) : uniform(3 + 24 * 17, -4, 4);
            double[][] scalars = switch (op) {
                case ADD_SCALAR, MUL_SCALAR -> new double[][] {{1.75, 0}};
                case POW_SCALAR -> new double[][] {{2, 0}, {0.5, 0}, {-1.5, 0}};
                case SCALAR_POW -> new double[][] {{1.5, 0}, {0.25, 0}};
                case CLAMP -> new double[][] {{-0.5, 0.5}, {Double.NaN, 1}, {-1, Double.NaN}};
                case LEAKY_RELU -> new double[][] {{0.01, 0}};
                default -> new double[][] {{0, 0}};
            };
            for (double[] ab : scalars) {
                Twin out = output(DType.FLOAT32, 24 * 17);
                both((b, s) -> b.unary(op, ab[0], ab[1], s.apply(x), xl, s.apply(out), ol));
                assertClose(op + " " + ab[0] + " " + ab[1], out, RTOL, 1e-7);
            }
        }
    }

    @Test
    void unaryOpsKeepPyTorchNaNRules() {
        Twin x = floats(new float[] {Float.NaN, -0f, 0f, -2f, 3f}, DType.FLOAT32);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.SIGN, UnaryOp.ABS, UnaryOp.CLAMP, UnaryOp.NEG}) {
            Twin out = output(DType.FLOAT32, 5);
            both((b, s) -> b.unary(op, -1, 1, s.apply(x), contiguous(5), s.apply(out), contiguous(5)));
            assertSame(op + " with NaN", out);
        }
    }

    @Test
    void unaryOpsOnInt64() {
        Twin x = smallInts(40, 9);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU, UnaryOp.ADD_SCALAR,
                UnaryOp.MUL_SCALAR, UnaryOp.CLAMP, UnaryOp.EXP}) {
            Twin longOut = output(DType.INT64, 40);
            both((b, s) -> b.unary(op, -3, 4, s.apply(x), transposed(5, 8, 0), s.apply(longOut), contiguous(5, 8)));
            assertSame(op + " int64 -> int64", longOut);
            Twin floatOut = output(DType.FLOAT32, 40);
            both((b, s) -> b.unary(op, 2.5, 4, s.apply(x), contiguous(40), s.apply(floatOut), contiguous(40)));
            assertSame(op + " int64 -> float32", floatOut);
        }
        Twin fractional = output(DType.INT64, 40);
        both((b, s) -> b.unary(UnaryOp.ADD_SCALAR, 0.5, 0, s.apply(x), contiguous(40), s.apply(fractional),
                contiguous(40)));
        assertSame("int64 + 0.5 stored as int64 truncates like the CPU", fractional);
    }

    // ---- binary and where ----

    @Test
    void everyBinaryOpWithBroadcastAndTransposedOperands() {
        Layout xl = contiguous(1, 19).expand(Shape.of(23, 19));  // a row broadcast over 23 rows
        Layout yl = transposed(23, 19, 5);
        Layout ol = contiguous(23, 19);
        for (BinaryOp op : BinaryOp.values()) {
            boolean positiveBase = op == BinaryOp.POW;
            Twin x = positiveBase ? uniform(19, 0.1f, 3) : uniform(19, -3, 3);
            Twin y = op == BinaryOp.POW ? uniform(5 + 23 * 19, -2, 2) : uniform(5 + 23 * 19, -3, 3);
            DType outType = op.isComparison() ? DType.BOOL : DType.FLOAT32;
            Twin out = output(outType, 23 * 19);
            both((b, s) -> b.binary(op, s.apply(x), xl, s.apply(y), yl, s.apply(out), ol));
            assertClose(op.toString(), out, RTOL, 1e-7);
        }
        // equal elements, so that EQ/LE/GE see ties
        Twin a = smallInts(50, 2);
        Twin af = new Twin(cpu.allocate(DType.FLOAT32, 50), gpu().allocate(DType.FLOAT32, 50));
        both((b, s) -> b.copy(s.apply(a), contiguous(50), s.apply(af), contiguous(50)));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LE, BinaryOp.GE, BinaryOp.MAXIMUM}) {
            Twin out = output(op.isComparison() ? DType.BOOL : DType.FLOAT32, 25);
            both((b, s) -> b.binary(op, s.apply(af), contiguous(25), s.apply(af), new Layout(Shape.of(25), new int[] {1},
                    25), s.apply(out), contiguous(25)));
            assertSame(op + " with ties", out);
        }
    }

    @Test
    void binaryOpsOnInt64AndMixedDtypes() {
        Twin x = smallInts(30, 20);
        Twin y = smallInts(30, 6);
        Twin yf = uniform(30, -3, 3);
        for (BinaryOp op : BinaryOp.values()) {
            Twin ly = op == BinaryOp.POW ? smallInts(30, 3) : y;
            DType outType = op.isComparison() ? DType.BOOL : DType.INT64;
            Twin out = output(outType, 30);
            both((b, s) -> b.binary(op, s.apply(x), contiguous(30), s.apply(ly), contiguous(30), s.apply(out),
                    contiguous(30)));
            assertSame(op + " on int64", out);
            Twin mixed = output(op.isComparison() ? DType.BOOL : DType.FLOAT32, 30);
            both((b, s) -> b.binary(op, s.apply(x), contiguous(30), s.apply(yf), contiguous(30), s.apply(mixed),
                    contiguous(30)));
            assertClose(op + " int64 with float32", mixed, RTOL, 1e-6);
        }
    }

    @Test
    void whereSelectsThroughBroadcastConditions() {
        Twin cond = bools(7);
        Twin x = randn(7 * 9);
        Twin y = randn(9);
        Twin out = output(DType.FLOAT32, 63);
        Layout cl = contiguous(1, 7).expand(Shape.of(9, 7));
        both((b, s) -> b.where(s.apply(cond), cl, s.apply(x), transposed(9, 7, 0), s.apply(y),
                contiguous(9, 1).expand(Shape.of(9, 7)), s.apply(out), contiguous(9, 7)));
        assertSame("where float32", out);
        Twin xi = smallInts(63, 100);
        Twin yi = smallInts(63, 100);
        Twin outi = output(DType.INT64, 63);
        both((b, s) -> b.where(s.apply(cond), cl, s.apply(xi), contiguous(9, 7), s.apply(yi), contiguous(9, 7),
                s.apply(outi), contiguous(9, 7)));
        assertSame("where int64", outi);
    }

    // ---- reductions ----

    @Test
    void reductionsOverAnyDims() {
        int[] shape = {6, 35, 41};
        Twin x = randn(6 * 35 * 41 + 4);
        Layout base = new Layout(Shape.of(shape), Shape.of(shape).contiguousStrides(), 4);
        Layout permuted = Layout.contiguous(Shape.of(41, 6, 35)).permute(1, 2, 0);  // [6,35,41], innermost stride 210
        boolean[][] dimSets = {{false, false, true}, {false, true, false}, {true, false, false}, {true, false, true},
                {true, true, true}};
        for (Layout xl : new Layout[] {base, permuted}) {
            for (boolean[] dims : dimSets) {
                int[] outShape = shape.clone();
                for (int d = 0; d < 3; d++) {
                    outShape[d] = dims[d] ? 1 : shape[d];
                }
                Layout ol = contiguous(outShape);
                for (ReduceOp op : ReduceOp.values()) {
                    Twin out = output(DType.FLOAT32, ol.shape().numel());
                    both((b, s) -> b.reduce(op, s.apply(x), xl, dims, s.apply(out), ol));
                    assertClose(op + " over " + java.util.Arrays.toString(dims) + " of " + xl, out, RTOL, 1e-5);
                }
            }
        }
    }

    @Test
    void longReductionsSplitAndStayAccurate() {
        int n = 300_000;
        Twin x = uniform(n, 0, 1);  // all positive: a large sum where float accumulation would drift
        for (ReduceOp op : ReduceOp.values()) {
            Twin all = output(DType.FLOAT32, 1);
            both((b, s) -> b.reduce(op, s.apply(x), contiguous(n), new boolean[] {true}, s.apply(all), contiguous(1)));
            assertSame(op + " of " + n + " elements", all);
        }
        Twin columns = output(DType.FLOAT32, 100);
        both((b, s) -> b.reduce(ReduceOp.SUM, s.apply(x), contiguous(3000, 100), new boolean[] {true, false},
                s.apply(columns), contiguous(1, 100)));
        assertSame("column sums of [3000,100]", columns);
        Twin rows = output(DType.FLOAT32, 60);
        both((b, s) -> b.reduce(ReduceOp.MAX, s.apply(x), contiguous(60, 5000), new boolean[] {false, true},
                s.apply(rows), contiguous(60, 1)));
        assertSame("row max of [60,5000]", rows);
    }

    @Test
    void reductionsOfInt64BoolAndNaN() {
        Twin ints = smallInts(200, 1000);
        for (ReduceOp op : ReduceOp.values()) {
            Twin out = output(DType.INT64, 10);
            both((b, s) -> b.reduce(op, s.apply(ints), contiguous(10, 20), new boolean[] {false, true}, s.apply(out),
                    contiguous(10, 1)));
            assertSame(op + " of int64", out);
        }
        Twin manyInts = smallInts(24000, 1 << 20);
        for (ReduceOp op : ReduceOp.values()) {
            Twin rows = output(DType.INT64, 8);
            both((b, s) -> b.reduce(op, s.apply(manyInts), contiguous(8, 3000), new boolean[] {false, true},
                    s.apply(rows), contiguous(8, 1)));
            assertSame(op + " of long int64 rows", rows);
            Twin all = output(DType.INT64, 1);
            both((b, s) -> b.reduce(op, s.apply(manyInts), contiguous(24000), new boolean[] {true}, s.apply(all),
                    contiguous(1)));
            assertSame(op + " of all 24000 int64", all);
        }
        Twin flags = bools(200);
        Twin count = output(DType.INT64, 1);
        both((b, s) -> b.reduce(ReduceOp.SUM, s.apply(flags), contiguous(200), new boolean[] {true}, s.apply(count),
                contiguous(1)));
        assertSame("counting trues into int64", count);
        Twin withNaN = floats(new float[] {1, Float.NaN, 3, -2, 5, 0}, DType.FLOAT32);
        for (ReduceOp op : ReduceOp.values()) {
            Twin out = output(DType.FLOAT32, 2);
            both((b, s) -> b.reduce(op, s.apply(withNaN), contiguous(2, 3), new boolean[] {false, true}, s.apply(out),
                    contiguous(2, 1)));
            assertSame(op + " propagates NaN", out);
        }
    }

    @Test
    void argReductionsPickTheFirstExtreme() {
        float[] d = new float[8 * 300];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextInt(7);  // many ties
        }
        d[5] = Float.NaN;
        Twin x = floats(d, DType.FLOAT32);
        Layout[] layouts = {contiguous(8, 300), Layout.contiguous(Shape.of(300, 8)).permute(1, 0)};
        for (Layout xl : layouts) {
            for (int dim = 0; dim < 2; dim++) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                    int outN = dim == 0 ? 300 : 8;
                    Twin values = output(DType.FLOAT32, outN);
                    Twin indices = output(DType.INT64, outN);
                    int dd = dim;
                    both((b, s) -> b.argReduce(op, s.apply(x), xl, dd, s.apply(values), s.apply(indices)));
                    assertSame("arg" + op + " values along " + dim + " of " + xl, values);
                    assertSame("arg" + op + " indices along " + dim + " of " + xl, indices);
                }
            }
        }
        Twin ints = smallInts(3 * 500, 3);
        for (int dim = 0; dim < 2; dim++) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                int outN = dim == 0 ? 500 : 3;
                Twin values = output(DType.INT64, outN);
                Twin indices = output(DType.INT64, outN);
                int dd = dim;
                both((b, s) -> b.argReduce(op, s.apply(ints), contiguous(3, 500), dd, s.apply(values),
                        s.apply(indices)));
                assertSame("arg" + op + " values of int64 along " + dim, values);
                assertSame("arg" + op + " indices of int64 along " + dim, indices);
            }
        }
    }

    // ---- matmul ----

    /** x [B,M,K] @ y [B,K,N], with the CPU's result checked against sum |x||y| per element. */
    void checkMatmul(String what, Twin x, Layout xl, Twin y, Layout yl, double rtol) {
        int batch = xl.shape().size(0);
        int m = xl.shape().size(1);
        int k = xl.shape().size(2);
        int n = yl.shape().size(2);
        Twin out = output(DType.FLOAT32, batch * m * n);
        Layout ol = contiguous(batch, m, n);
        both((b, s) -> b.matmul(s.apply(x), xl, s.apply(y), yl, s.apply(out), ol));
        // the error bound's scale: |x| @ |y| on the CPU
        Storage ax = cpu.allocate(DType.FLOAT32, x.cpu().size());
        Storage ay = cpu.allocate(DType.FLOAT32, y.cpu().size());
        cpu.unary(UnaryOp.ABS, 0, 0, x.cpu(), contiguous(x.cpu().size()), ax, contiguous(x.cpu().size()));
        cpu.unary(UnaryOp.ABS, 0, 0, y.cpu(), contiguous(y.cpu().size()), ay, contiguous(y.cpu().size()));
        Storage scale = cpu.allocate(DType.FLOAT32, batch * m * n);
        cpu.matmul(ax, xl, ay, yl, scale, ol);
        assertCloseScaled(what + " " + xl.shape() + " @ " + yl.shape(), out, cpu.downloadFloats(scale), rtol);
        assertTrue(k >= 0);
    }

    @Test
    void matmulOfEveryOperandLayout() {
        int b = 2;
        int m = 70;
        int k = 45;
        int n = 33;
        Twin x = randn(b * m * k + 3);
        Twin y = randn(b * k * n + 1);
        Layout xn = new Layout(Shape.of(b, m, k), new int[] {m * k, k, 1}, 3);
        Layout xt = new Layout(Shape.of(b, m, k), new int[] {m * k, 1, m}, 0);
        Layout yn = new Layout(Shape.of(b, k, n), new int[] {k * n, n, 1}, 1);
        Layout yt = new Layout(Shape.of(b, k, n), new int[] {k * n, 1, k}, 0);
        Layout xStrided = new Layout(Shape.of(b, m, k / 2), new int[] {m * k, k, 2}, 0);  // needs a copy
        Layout yBroadcast = new Layout(Shape.of(b, k / 2, n), new int[] {0, n, 1}, 0);
        checkMatmul("nn", x, xn, y, yn, RTOL);
        checkMatmul("nt", x, xn, y, yt, RTOL);
        checkMatmul("tn", x, xt, y, yn, RTOL);
        checkMatmul("tt", x, xt, y, yt, RTOL);
        checkMatmul("strided x, batch-broadcast y", x, xStrided, y, yBroadcast, RTOL);
    }

    @Test
    void matmulShapesAcrossTileEdges() {
        int[][] shapes = {{1, 64, 784, 256}, {1, 1, 100, 37}, {3, 17, 1, 9}, {1, 129, 130, 131}, {2, 256, 64, 256}};
        for (int[] s : shapes) {
            Twin x = randn(s[0] * s[1] * s[2]);
            Twin y = randn(s[0] * s[2] * s[3]);
            checkMatmul("edges", x, contiguous(s[0], s[1], s[2]), y, contiguous(s[0], s[2], s[3]), RTOL);
        }
    }

    @Test
    void longThinProductsAreSplitAlongK() {
        // a convolution weight gradient's shape: one tile, a K cut into parts and a rest
        checkAllLayouts("split-k", 6, 9005, 25, RTOL);
    }

    /**
     * [M, K, N] of two products big enough for 128x128 tiles on this backend's SM count: one in
     * whole tiles (the "_full" kernels) and one with ragged edges.
     */
    abstract int[][] bigTileShapes();

    /** x and y of [M,K] @ [K,N] in each of the four operand layouts ("n" row-major, "t" transposed). */
    void checkAllLayouts(String what, int m, int k, int n, double rtol) {
        Twin x = randn(m * k);
        Twin y = randn(k * n);
        Layout[] xs = {contiguous(1, m, k), contiguous(1, k, m).permute(0, 2, 1)};
        Layout[] ys = {contiguous(1, k, n), contiguous(1, n, k).permute(0, 2, 1)};
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                checkMatmul(what + " " + "nt".charAt(a) + "nt".charAt(b), x, xs[a], y, ys[b], rtol);
            }
        }
    }

    @Test
    void largeMatmulsUseTheBigTileKernels() {
        for (int[] s : bigTileShapes()) {
            checkAllLayouts("fp32", s[0], s[1], s[2], RTOL);
        }
    }

    @Test
    void tf32MatmulIsCloseToFp32() {
        CudaBackend g = gpu();
        g.setAllowTf32(true);
        try {
            // TF32 keeps 10 mantissa bits: each product is off by up to ~2^-10 of |x||y|
            for (int[] s : bigTileShapes()) {
                checkAllLayouts("tf32", s[0], s[1], s[2], 2e-3);
            }
            checkAllLayouts("tf32 small", 70, 45, 33, 2e-3);
        } finally {
            g.setAllowTf32(false);
        }
    }

    // ---- im2col / col2im ----

    @Test
    void im2colAndCol2imMatchForPaddedStridedDilatedWindows() {
        ConvGeometry[] geometries = {
                new ConvGeometry(3, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(2, 10, 7, 3, 2, 2, 1, 0, 1, 2, 1),
                new ConvGeometry(4, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1)};
        int batch = 2;
        for (ConvGeometry g : geometries) {
            int c = g.channels();
            int h = g.inH();
            int w = g.inW();
            Twin x = randn(batch * c * h * w);
            Layout nhwcAsNchw = Layout.contiguous(Shape.of(batch, h, w, c)).permute(0, 3, 1, 2);
            int colsSize = batch * g.colRows() * g.colCols();
            // image-major as F.unfold returns it, and rows-major (all images' rows side by side) as conv2d uses it
            Layout[] colLayouts = {Layout.contiguous(Shape.of(batch, g.colRows(), g.colCols())),
                    Layout.contiguous(Shape.of(g.colRows(), batch, g.colCols())).permute(1, 0, 2)};
            for (Layout cl : colLayouts) {
                for (float pad : new float[] {0f, Float.NEGATIVE_INFINITY}) {
                    Twin cols = output(DType.FLOAT32, colsSize);
                    both((b, s) -> b.im2col(s.apply(x), nhwcAsNchw, g, pad, s.apply(cols), cl));
                    assertSame("im2col " + g + " pad " + pad + " columns " + cl, cols);
                }
                Twin cols = randn(colsSize);
                Twin image = randn(batch * c * h * w);  // col2im adds into it
                both((b, s) -> b.col2im(s.apply(cols), cl, g, s.apply(image)));
                assertClose("col2im " + g + " columns " + cl, image, RTOL, 1e-6);
            }
        }
    }

    @Test
    void maxPoolingMatchesWithIndicesThroughPaddingAndNaN() {
        ConvGeometry[] geometries = {
                new ConvGeometry(3, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1),
                new ConvGeometry(2, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1),
                new ConvGeometry(2, 10, 7, 3, 2, 1, 2, 1, 1, 2, 1)};
        int batch = 2;
        for (ConvGeometry g : geometries) {
            int n = batch * g.channels() * g.inH() * g.inW();
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                // ties, -inf and NaN included: the winner's index must still agree
                int r = rng.nextInt(20);
                data[i] = r == 0 ? Float.NaN : r == 1 ? Float.NEGATIVE_INFINITY : rng.nextInt(5);
            }
            Twin x = floats(data, DType.FLOAT32);
            Layout nhwcAsNchw = Layout.contiguous(Shape.of(batch, g.inH(), g.inW(), g.channels())).permute(0, 3, 1, 2);
            int outSize = batch * g.channels() * g.outH() * g.outW();
            Twin out = output(DType.FLOAT32, outSize);
            Twin indices = output(DType.INT64, outSize);
            both((b, s) -> b.maxPool2d(s.apply(x), nhwcAsNchw, g, s.apply(out), s.apply(indices)));
            assertSame("max_pool2d values " + g, out);
            assertSame("max_pool2d indices " + g, indices);
        }
    }

    @Test
    void batchNormStatisticsOutputAndGradients() {
        int n = 3;
        int c = 4;
        int s = 37;  // not a multiple of any vector width
        int size = n * c * s;
        float[] data = new float[size];
        for (int i = 0; i < size; i++) {
            data[i] = 2 + 3 * (float) rng.nextGaussian();  // a mean away from 0: centring matters
        }
        Twin x = floats(data, DType.FLOAT32);
        Twin mean = output(DType.FLOAT32, c);
        Twin var = output(DType.FLOAT32, c);
        both((b, t) -> b.batchNormStats(t.apply(x), n, c, s, t.apply(mean), t.apply(var)));
        assertClose("batch norm mean", mean, 1e-5, 1e-6);
        assertClose("batch norm variance", var, 1e-5, 1e-6);
        Twin invstd = uniform(c, 0.2f, 1.5f);
        Twin weight = randn(c);
        Twin bias = randn(c);
        Twin g = randn(size);
        for (boolean affine : new boolean[] {true, false}) {
            Twin w = affine ? weight : null;
            Twin bb = affine ? bias : null;
            Twin out = output(DType.FLOAT32, size);
            both((b, t) -> b.batchNorm(t.apply(x), n, c, s, t.apply(mean), t.apply(invstd), w == null ? null : t.apply(w),
                    bb == null ? null : t.apply(bb), t.apply(out)));
            assertClose("batch norm output, affine " + affine, out, 1e-5, 1e-5);
            for (boolean batchStats : new boolean[] {true, false}) {
                String what = "affine " + affine + ", batch statistics " + batchStats;
                Twin gx = output(DType.FLOAT32, size);
                Twin gw = output(DType.FLOAT32, c);
                Twin gb = output(DType.FLOAT32, c);
                both((b, t) -> b.batchNormBackward(t.apply(g), t.apply(x), n, c, s, t.apply(mean), t.apply(invstd),
                        w == null ? null : t.apply(w), batchStats, t.apply(gx), t.apply(gw), t.apply(gb)));
                // sums of n·s terms of either sign: absolute slack relative to their count
                assertClose("batch norm input gradient, " + what, gx, 1e-4, 1e-5);
                assertClose("batch norm weight gradient, " + what, gw, 1e-4, 1e-4);
                assertClose("batch norm bias gradient, " + what, gb, 1e-4, 1e-4);
            }
        }
    }

    // ---- gather / scatterAdd ----

    @Test
    void gatherAndScatterAddAlongEachDim() {
        Twin x = randn(6 * 9);
        for (int dim = 0; dim < 2; dim++) {
            int size = dim == 0 ? 6 : 9;
            long[] idx = new long[6 * 4];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = rng.nextInt(size);
            }
            Twin index = longs(idx);
            Layout il = dim == 0 ? contiguous(4, 6).permute(1, 0).narrow(0, 0, 4) : contiguous(6, 4);
            Layout xl = transposed(6, 9, 0);
            Twin out = output(DType.FLOAT32, il.shape().numel());
            Layout ol = Layout.contiguous(il.shape());
            int dd = dim;
            both((b, s) -> b.gather(s.apply(x), xl, dd, s.apply(index), il, s.apply(out), ol));
            assertSame("gather along " + dim, out);

            Twin dst = randn(6 * 9);
            Twin src = randn(il.shape().numel());
            both((b, s) -> b.scatterAdd(s.apply(dst), contiguous(6, 9), dd, s.apply(index), il, s.apply(src), ol));
            assertClose("scatterAdd along " + dim, dst, RTOL, 1e-6);
        }
        Twin table = smallInts(5 * 3, 1000);
        Twin rowsOf = longs(new long[] {4, 0, 4, 2});
        Twin picked = output(DType.INT64, 4 * 3);
        both((b, s) -> b.gather(s.apply(table), contiguous(5, 3), 0, s.apply(rowsOf),
                contiguous(4, 1).expand(Shape.of(4, 3)), s.apply(picked), contiguous(4, 3)));
        assertSame("gather of int64 rows with a broadcast index", picked);
        Twin counts = longs(new long[5]);
        Twin ones = longs(new long[] {1, 1, 1, 1, 1, 1, 1, 1});
        Twin labels = longs(new long[] {0, 3, 3, 1, 3, 0, 4, 3});
        both((b, s) -> b.scatterAdd(s.apply(counts), contiguous(5), 0, s.apply(labels), contiguous(8), s.apply(ones),
                contiguous(8)));
        assertSame("int64 histogram with repeated indices", counts);
    }

    @Test
    void badIndicesAreReportedAtTheNextRead() {
        Storage x = gpu().upload(new float[] {1, 2, 3}, DType.FLOAT32);
        Storage index = gpu().upload(new long[] {0, 3});
        Storage out = gpu().allocate(DType.FLOAT32, 2);
        gpu().gather(x, contiguous(3), 0, index, contiguous(2), out, contiguous(2));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> gpu().downloadFloats(out));
        assertTrue(e.getMessage().contains("gather"), e.getMessage());
        gpu().downloadFloats(out);  // reported once
        Storage negative = gpu().upload(new long[] {-1, 0});
        Storage dst = gpu().allocate(DType.FLOAT32, 3);
        gpu().scatterAdd(dst, contiguous(3), 0, negative, contiguous(2), x, contiguous(2));
        assertThrows(IndexOutOfBoundsException.class, () -> gpu().downloadFloats(dst), "-1 is no index, as in PyTorch");
    }

    // ---- optimizers ----

    @Test
    void sgdMomentumHasTheCpusBits() {
        int n = 1000;
        for (boolean nesterov : new boolean[] {false, true}) {
            for (double weightDecay : new double[] {0, 0.01}) {
                Twin p = randn(n + 3);
                Twin g = randn(n + 3);
                Twin buf = randn(n + 3);
                Layout fromThird = new Layout(Shape.of(n), new int[] {1}, 3);  // a view: offsets reach the kernel
                for (int step = 0; step < 3; step++) {
                    both((b, s) -> b.sgdMomentum(0.1, 0.9, 0.1, weightDecay, nesterov, s.apply(p), fromThird,
                            s.apply(g), fromThird, s.apply(buf), fromThird));
                }
                String what = "sgd momentum, nesterov " + nesterov + ", weight decay " + weightDecay;
                assertClose(what + ": parameters", p, 0, 0);
                assertClose(what + ": momentum buffer", buf, 0, 0);
            }
        }
        // a strided parameter takes the composed default
        Twin p = randn(2 * n);
        Twin g = randn(n);
        Twin buf = randn(n);
        Layout everyOther = new Layout(Shape.of(n), new int[] {2}, 0);
        Layout dense = contiguous(n);
        both((b, s) -> b.sgdMomentum(0.1, 0.9, 0, 0.01, true, s.apply(p), everyOther, s.apply(g), dense,
                s.apply(buf), dense));
        assertSame("sgd momentum on a strided parameter", p);
        assertSame("sgd momentum buffer of a strided parameter", buf);
    }

    @Test
    void adamHasTheCpusBits() {
        int n = 1000;
        for (boolean decoupled : new boolean[] {false, true}) {
            for (double weightDecay : new double[] {0, 0.1}) {
                Twin p = randn(n + 3);
                Twin g = randn(n + 3);
                Twin m = randn(n + 3);
                Twin v = uniform(n + 3, 0, 2);
                Layout fromThird = new Layout(Shape.of(n), new int[] {1}, 3);  // a view: offsets reach the kernel
                for (int step = 1; step <= 3; step++) {
                    int t = step;
                    both((b, s) -> b.adam(1e-2, 0.9, 0.999, 1e-8, weightDecay, decoupled, t, s.apply(p), fromThird,
                            s.apply(g), fromThird, s.apply(m), fromThird, s.apply(v), fromThird));
                }
                String what = (decoupled ? "adamw" : "adam") + ", weight decay " + weightDecay;
                assertClose(what + ": parameters", p, 0, 0);
                assertClose(what + ": first moment", m, 0, 0);
                assertClose(what + ": second moment", v, 0, 0);
            }
        }
        // a strided parameter takes the composed default
        Twin p = randn(2 * n);
        Twin g = randn(n);
        Twin m = randn(n);
        Twin v = uniform(n, 0, 2);
        Layout everyOther = new Layout(Shape.of(n), new int[] {2}, 0);
        Layout dense = contiguous(n);
        both((b, s) -> b.adam(1e-2, 0.9, 0.999, 1e-8, 0.1, false, 2, s.apply(p), everyOther, s.apply(g), dense,
                s.apply(m), dense, s.apply(v), dense));
        assertSame("adam on a strided parameter", p);
        assertSame("adam's second moment of a strided parameter", v);
    }

    // ---- memory ----

    @Test
    void closedStoragesAreReusedWithoutNewDeviceAllocations() {
        CudaBackend dev = gpu();
        for (int i = 0; i < 3; i++) {
            dev.allocate(DType.FLOAT32, 12345).close();
            dev.upload(new long[777]).close();
        }
        long raw = dev.memoryStats().rawAllocations();
        for (int i = 0; i < 10; i++) {
            dev.allocate(DType.FLOAT32, 12345).close();
            dev.upload(new long[777]).close();
        }
        assertEquals(raw, dev.memoryStats().rawAllocations());
        Storage s = dev.allocate(DType.FLOAT32, 4);
        s.close();
        assertThrows(IllegalStateException.class, () -> dev.downloadFloats(s), "a closed storage cannot be read");
    }
}
