package dev.ember.bench;

import dev.ember.backend.cpu.CpuBackend;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

import java.util.Locale;

/**
 * Microbenchmarks of the tensor core at sizes used in training (MLP 784-256-10 and LeNet-5 at batch
 * 64): matmul forward/backward shapes and a few elementwise ops. Prints one table row per case:
 * median time per call, and GFLOP/s or GB/s.
 */
public final class CoreBench {
    private CoreBench() {
    }

    public static void main(String[] args) {
        Generator.manualSeed(0);
        System.out.println("BLAS: " + CpuBackend.blasImplementation() + ", threads available: "
                + Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-40s %12s %12s%n", "case", "median", "rate");
        matmul("matmul [64,784]x[784,256] (MLP fc1)", 64, 784, 256);
        matmul("matmul [64,256]x[256,10] (MLP fc2)", 64, 256, 10);
        matmul("matmul [784,64]x[64,256] (fc1 grad W)", 784, 64, 256);
        matmul("matmul [6,25]x[25,784] (LeNet conv1)", 6, 25, 784);
        matmul("matmul [16,150]x[150,100] (LeNet conv2)", 16, 150, 100);
        matmul("matmul [256,256]x[256,256]", 256, 256, 256);
        matmul("matmul [1024,1024]x[1024,1024]", 1024, 1024, 1024);
        Tensor a = Tensor.randn(64, 256);
        Tensor b = Tensor.randn(64, 256);
        Tensor bias = Tensor.randn(256);
        elementwise("add [64,256]+[64,256]", () -> a.add(b), 3 * 64 * 256 * 4);
        elementwise("add bias [64,256]+[256]", () -> a.add(bias), 2 * 64 * 256 * 4);
        elementwise("relu [64,256]", a::relu, 2 * 64 * 256 * 4);
        elementwise("exp [64,256]", a::exp, 2 * 64 * 256 * 4);
        elementwise("sum(dim 0) [64,256]", () -> a.sum(0, false), 64 * 256 * 4);
        Tensor logits = Tensor.randn(64, 10);
        elementwise("logSoftmax [64,10]", () -> logits.logSoftmax(1), 2 * 64 * 10 * 4);
        Tensor big = Tensor.randn(1 << 20);
        elementwise("mul scalar [1M]", () -> big.mul(2.0), 2 * (1 << 20) * 4);
    }

    private static void matmul(String name, int m, int k, int n) {
        Tensor x = Tensor.randn(m, k);
        Tensor y = Tensor.randn(k, n);
        Runnable once = () -> x.matmul(y);
        int reps = Timer.calibrate(once, 0.05);
        double t = Timer.median(Timer.repeat(once, reps), 3, 7) / reps;
        row(name, t, 2.0 * m * k * n / t / 1e9, "GFLOP/s");
    }

    private static void elementwise(String name, Runnable op, long bytes) {
        int reps = Timer.calibrate(op, 0.05);
        double t = Timer.median(Timer.repeat(op, reps), 3, 7) / reps;
        row(name, t, bytes / t / 1e9, "GB/s");
    }

    static void row(String name, double seconds, double rate, String unit) {
        System.out.printf(Locale.ROOT, "%-40s %9.2f us %8.1f %s%n", name, seconds * 1e6, rate, unit);
    }
}
