package dev.ember.backend.cuda;

import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;

import java.util.Locale;
import java.util.Random;

/**
 * Timings of the CUDA backend on cuda:0 for bin/gpu-check: SGEMM 4096^3 (FP32 and TF32, checked
 * against double-precision dot products at sampled elements), elementwise and reduction
 * bandwidth, the host cost of one small op, and MLP training steps through the Tensor façade.
 * Prints one "BENCH name value unit" line per figure for the script's final table.
 */
public final class GpuBench {
    private static final int N = 4096;

    private final CudaBackend gpu;
    private final Random rng = new Random(1);

    private GpuBench(CudaBackend gpu) {
        this.gpu = gpu;
    }

    public static void main(String[] args) {
        if (!CudaBackend.isAvailable()) {
            System.out.println("GpuBench: no CUDA device");
            System.exit(2);
        }
        boolean ok;
        try (CudaBackend gpu = CudaBackend.open(0)) {
            System.out.println("GpuBench on " + gpu.deviceName());
            GpuBench bench = new GpuBench(gpu);
            // one failing part must not cost the others' figures: the GPU run is rare
            ok = part("sgemm", bench::sgemm) & part("elementwise", bench::elementwiseAndReductions)
                    & part("latency", bench::smallOpLatency) & part("training", bench::mlpTrainingSteps);
            CudaMemoryStats m = gpu.memoryStats();
            System.out.printf(Locale.ROOT, "memory: %d MiB held, %d MiB cached, %d cuMemAlloc calls%n",
                    m.allocatedBytes() >> 20, m.cachedBytes() >> 20, m.rawAllocations());
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean part(String name, Runnable body) {
        try {
            body.run();
            return true;
        } catch (RuntimeException e) {
            System.out.println("GpuBench: " + name + " failed:");
            e.printStackTrace(System.out);
            return false;
        }
    }

    private static void report(String name, double value, String unit) {
        System.out.printf(Locale.ROOT, "BENCH %s %.4g %s%n", name, value, unit);
    }

    private float[] random(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) rng.nextGaussian();
        }
        return d;
    }

    /** Seconds per call of {@code op}, after warm-up, with the device drained before and after. */
    private double time(int warmup, int iterations, Runnable op) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        gpu.synchronize();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            op.run();
        }
        gpu.synchronize();
        return (System.nanoTime() - start) / 1e9 / iterations;
    }

    private void sgemm() {
        float[] a = random(N * N);
        float[] b = random(N * N);
        Layout square = Layout.contiguous(Shape.of(1, N, N));
        Layout transposed = square.permute(0, 2, 1);
        try (Storage x = gpu.upload(a, DType.FLOAT32); Storage y = gpu.upload(b, DType.FLOAT32);
             Storage out = gpu.allocate(DType.FLOAT32, N * N)) {
            double flop = 2.0 * N * N * N;
            for (boolean tf32 : new boolean[] {false, true}) {
                gpu.setAllowTf32(tf32);
                String kind = tf32 ? "tf32" : "fp32";
                double s = time(3, 10, () -> gpu.matmul(x, square, y, square, out, square));
                report("sgemm4096_" + kind, flop / s / 1e12, "TFLOP/s");
                report("sgemm4096_" + kind + "_max_rel_err", maxRelativeError(a, b, gpu.downloadFloats(out)), "");
                // the other operand layouts: "t" is a transposed view, read in place
                Layout[][] layouts = {{square, transposed}, {transposed, square}, {transposed, transposed}};
                String[] names = {"_nt", "_tn", "_tt"};
                for (int l = 0; l < layouts.length; l++) {
                    Layout xl = layouts[l][0];
                    Layout yl = layouts[l][1];
                    double st = time(1, 5, () -> gpu.matmul(x, xl, y, yl, out, square));
                    report("sgemm4096_" + kind + names[l], flop / st / 1e12, "TFLOP/s");
                }
            }
            gpu.setAllowTf32(false);
        }
    }

    /** Worst |c - exact| / sum|a||b| over 64 sampled elements of a @ b (row-major N x N). */
    private double maxRelativeError(float[] a, float[] b, float[] c) {
        double worst = 0;
        for (int s = 0; s < 64; s++) {
            int i = rng.nextInt(N);
            int j = rng.nextInt(N);
            double exact = 0;
            double scale = 0;
            for (int k = 0; k < N; k++) {
                double p = (double) a[i * N + k] * b[k * N + j];
                exact += p;
                scale += Math.abs(p);
            }
            worst = Math.max(worst, Math.abs(c[i * N + j] - exact) / scale);
        }
        return worst;
    }

    private void elementwiseAndReductions() {
        int n = 1 << 24;
        Layout flat = Layout.contiguous(Shape.of(n));
        Layout matrix = Layout.contiguous(Shape.of(N, N));
        try (Storage x = gpu.upload(random(n), DType.FLOAT32); Storage y = gpu.upload(random(n), DType.FLOAT32);
             Storage out = gpu.allocate(DType.FLOAT32, n); Storage rows = gpu.allocate(DType.FLOAT32, N);
             Storage total = gpu.allocate(DType.FLOAT32, 1)) {
            double bytes = 4.0 * n;
            report("add_16M", 3 * bytes / time(3, 20, () -> gpu.binary(BinaryOp.ADD, x, flat, y, flat, out, flat)) / 1e9,
                    "GB/s");
            report("exp_16M", 2 * bytes / time(3, 20, () -> gpu.unary(UnaryOp.EXP, 0, 0, x, flat, out, flat)) / 1e9,
                    "GB/s");
            report("transpose_copy_4096", 2 * bytes / time(3, 20, () -> gpu.copy(x, matrix.permute(1, 0), out, matrix))
                    / 1e9, "GB/s");
            report("sum_16M", bytes / time(3, 20, () -> gpu.reduce(ReduceOp.SUM, x, flat, new boolean[] {true}, total,
                    Layout.contiguous(Shape.of(1)))) / 1e9, "GB/s");
            report("row_sum_4096x4096", bytes / time(3, 20, () -> gpu.reduce(ReduceOp.SUM, x, matrix,
                    new boolean[] {false, true}, rows, Layout.contiguous(Shape.of(N, 1)))) / 1e9, "GB/s");
        }
    }

    /**
     * Steps per second of the MLP 784-256-10 with SGD momentum and cross entropy, through the
     * Tensor façade on synthetic data: the end-to-end figure, host overhead and all (the digits
     * runs in gpu-check's training section will use real data).
     */
    private void mlpTrainingSteps() {
        Device cuda = Device.cuda(0);
        CudaBackend backend = (CudaBackend) Backends.of(cuda);
        for (int batch : new int[] {64, 512}) {
            Module net = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10)).to(cuda);
            Optimizer opt = SGD.builder(net.parameters(), 0.01).momentum(0.9).build();
            Tensor x = Tensor.randn(batch, 784).to(cuda);
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = rng.nextInt(10);
            }
            Tensor y = Tensor.ofLongs(labels).to(cuda);
            CrossEntropyLoss loss = new CrossEntropyLoss();
            Runnable step = () -> {
                opt.zeroGrad();
                loss.apply(net.forward(x), y).backward();
                opt.step();
            };
            for (int i = 0; i < 20; i++) {
                step.run();
            }
            backend.synchronize();
            int steps = 200;
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            backend.synchronize();
            report("train_mlp_bs" + batch, batch * steps / ((System.nanoTime() - start) / 1e9), "img/s");
        }
    }

    /** Host-side cost of one tiny op (after enough calls for the JIT to compile the launch path, as in training). */
    private void smallOpLatency() {
        Layout small = Layout.contiguous(Shape.of(1024));
        try (Storage x = gpu.upload(random(1024), DType.FLOAT32); Storage out = gpu.allocate(DType.FLOAT32, 1024)) {
            double s = time(20000, 5000, () -> gpu.binary(BinaryOp.ADD, x, small, x, small, out, small));
            report("small_add_per_op", s * 1e6, "us");
        }
    }
}
