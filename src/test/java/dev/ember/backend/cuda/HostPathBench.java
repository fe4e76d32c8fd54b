package dev.ember.backend.cuda;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;

import java.util.Locale;

/**
 * The Java half of a launch, timed without a GPU: CudaBackend's whole op path (naming, temps,
 * StridedArgs, KernelArgs packing, kernel lookup) down to a {@link Gpu} whose launch only reads the
 * packed parameters. What the driver adds on top (cuLaunchKernel, a few microseconds) is not here.
 * Run: java -cp target/classes:target/test-classes dev.ember.backend.cuda.HostPathBench
 */
public final class HostPathBench {

    /** Hands out fake addresses and discards launches, reading every parameter byte once. */
    static final class NoOpGpu implements Gpu {
        private long next = 1L << 32;
        long sink;

        @Override public String name() { return "no-op"; }
        @Override public int multiprocessorCount() { return 132; }
        @Override public long totalMemory() { return 80L << 30; }
        @Override public long allocate(long bytes) { long a = next; next += (bytes + 511) / 512 * 512; return a; }
        @Override public void free(long address) { }
        @Override public void fill32(long address, int pattern, long count) { }
        @Override public void upload(long address, float[] data) { }
        @Override public void upload(long address, long[] data) { }
        @Override public void download(long address, float[] out) { }
        @Override public void download(long address, long[] out) { }
        @Override public void download(long address, int[] out) { }
        @Override public void synchronize() { }
        @Override public void close() { }

        @Override
        public void launch(String module, String kernel, LaunchConfig config, KernelArgs args) {
            int[] w = args.words();
            for (int i = 0; i < args.wordCount(); i++) {
                sink += w[i];
            }
            sink += config.gridX() + kernel.length();
        }
    }

    public static void main(String[] a) {
        NoOpGpu gpu = new NoOpGpu();
        CudaBackend b = new CudaBackend(gpu, 0);
        Layout small = Layout.contiguous(Shape.of(1024));
        Layout m = Layout.contiguous(Shape.of(64, 256));
        Layout mt = Layout.contiguous(Shape.of(256, 64)).permute(1, 0);
        Storage x = b.allocate(DType.FLOAT32, 1024);
        Storage out = b.allocate(DType.FLOAT32, 1024);
        Storage big = b.allocate(DType.FLOAT32, 64 * 256);
        Storage bigOut = b.allocate(DType.FLOAT32, 64 * 256);
        Storage rows = b.allocate(DType.FLOAT32, 64);
        Storage w = b.allocate(DType.FLOAT32, 256 * 256);
        Layout w3 = Layout.contiguous(Shape.of(1, 256, 256));
        Layout m3 = Layout.contiguous(Shape.of(1, 64, 256));
        if (a.length > 0 && a[0].equals("cold")) {  // what GpuBench's small_add sees: 100 warm-up, 5000 timed
            Runnable op = () -> b.binary(BinaryOp.ADD, x, small, x, small, out, small);
            for (int i = 0; i < 100; i++) {
                op.run();
            }
            long start = System.nanoTime();
            for (int i = 0; i < 5000; i++) {
                op.run();
            }
            System.out.printf(Locale.ROOT, "cold small_add %8.1f ns/op%n", (System.nanoTime() - start) / 5000.0);
            return;
        }
        for (int round = 0; round < 3; round++) {
            time("small_add", () -> b.binary(BinaryOp.ADD, x, small, x, small, out, small));
            time("small_relu", () -> b.unary(UnaryOp.RELU, 0, 0, x, small, out, small));
            time("strided_copy", () -> b.copy(big, mt, bigOut, m));
            time("row_sum", () -> b.reduce(ReduceOp.SUM, big, m, new boolean[] {false, true}, rows,
                    Layout.contiguous(Shape.of(64, 1))));
            time("matmul_64x256x256", () -> b.matmul(big, m3, w, w3, bigOut, m3));
        }
        System.out.println("sink " + gpu.sink);
    }

    private static void time(String name, Runnable op) {
        int warm = 200_000;
        for (int i = 0; i < warm; i++) {
            op.run();
        }
        int n = 1_000_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        double ns = (System.nanoTime() - start) / (double) n;
        System.out.printf(Locale.ROOT, "%-20s %8.1f ns/op%n", name, ns);
    }
}
