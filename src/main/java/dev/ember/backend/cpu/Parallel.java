package dev.ember.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a loop of independent items over the threads the CPU backend may use per op: the ceiling of
 * {@link BlasThreads}, so one setting governs both OpenBLAS and Ember's own loops (every core for one
 * trainer per JVM, {@code spark.task.cpus} in a Spark task). The caller runs the first part itself.
 * Loops under {@link #MIN_WORK} elements stay on the caller: waking a parked worker costs tens of
 * microseconds, about what a core streams through 2^16 floats.
 */
final class Parallel {
    /** Elements of work below which a loop is not split. */
    static final long MIN_WORK = 1L << 16;

    private static final ForkJoinPool POOL = new ForkJoinPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() - 1), pool -> {
                var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                thread.setName("ember-cpu-" + thread.getPoolIndex());
                thread.setDaemon(true);
                return thread;
            }, null, false);

    /** The items {@code [from, to)} of a loop. */
    interface Range {
        void run(int from, int to);
    }

    private Parallel() {
    }

    /** Runs {@code body} over {@code [0, items)} in contiguous parts; {@code work} is the loop's total elements. */
    static void forRange(int items, long work, Range body) {
        int parts = (int) Math.min(Math.min(BlasThreads.ceiling(), items), Math.max(1, work / MIN_WORK));
        if (parts <= 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, items);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) items * p / parts);
            int to = (int) ((long) items * (p + 1) / parts);
            others[p - 1] = POOL.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) items / parts));
        for (ForkJoinTask<?> other : others) {
            other.join();
        }
    }
}
