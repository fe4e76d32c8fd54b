package dev.ember.bench;

import java.util.Arrays;

/** Times a task: warm-up runs, then the median of measured runs (robust to GC and noisy neighbours). */
public final class Timer {
    private Timer() {
    }

    /** Median seconds per call of {@code task} after {@code warmup} unmeasured calls. */
    public static double median(Runnable task, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            task.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        return median(t);
    }

    /** The median of {@code values} (the mean of the two middle ones for an even count). */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * Calls per measured run so that one run lasts about {@code targetSeconds}. The task first runs
     * for half a second so the JIT has compiled it: timing interpreted code would make small ops
     * look ten times slower than they are.
     */
    public static int calibrate(Runnable task, double targetSeconds) {
        long warmUntil = System.nanoTime() + 500_000_000L;
        int calls = 0;
        while (System.nanoTime() < warmUntil || calls < 10) {
            task.run();
            calls++;
        }
        long start = System.nanoTime();
        task.run();
        double once = Math.max((System.nanoTime() - start) / 1e9, 1e-7);
        return (int) Math.max(1, Math.min(100_000, targetSeconds / once));
    }

    public static Runnable repeat(Runnable task, int times) {
        return () -> {
            for (int i = 0; i < times; i++) {
                task.run();
            }
        };
    }
}
