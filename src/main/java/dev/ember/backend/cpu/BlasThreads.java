package dev.ember.backend.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * How many threads native OpenBLAS uses per call, process-wide, and when.
 * <ul>
 * <li><b>Ceiling</b> ({@link #set}): by default every core, right for one trainer per JVM; Spark tasks
 * set their {@code spark.task.cpus}, since OpenBLAS queues concurrent multi-threaded calls on one
 * thread pool and tasks sharing an executor would mostly wait for each other.</li>
 * <li><b>Per product</b>: below {@link #PARALLEL_MIN} multiply-adds a GEMM runs on its caller's thread.
 * Measured on the 2-core VM (OpenBLAS 0.3.21, SkylakeX kernels): the MLP's 64×784×256 product took
 * 311 µs on one thread and 344 µs on two, its weight gradient 573 vs 773 µs, a training step at batch
 * 64 ran 48–50k img/s against 31–36k. Between 5·10^7 and 1.3·10^8 it is a wash (256×784×256: 882 vs
 * 752 µs; 384³: 1,082 vs 1,146 µs; 512³: 2,368 vs 2,146 µs); 1024³ runs 146 vs 200 GFLOP/s.</li>
 * </ul>
 * Switching per product assumes one thread issues GEMMs at a time when the ceiling is above one (one
 * trainer per JVM), or that the concurrent ones are all small (a convolution splitting its batch over
 * the ceiling's threads does so only then); with several trainers, set the ceiling to 1. A no-op when
 * the BLAS is not native OpenBLAS.
 */
public final class BlasThreads {
    /** Multiply-adds from which a product may use more than one thread. */
    static final long PARALLEL_MIN = 1L << 26;

    private static final Function SET = find("openblas_set_num_threads");
    private static final Function GET = find("openblas_get_num_threads");
    private static int ceiling = GET == null ? 1 : GET.invokeInt(new Object[0]);
    private static int applied = ceiling;

    private BlasThreads() {
    }

    /** A function of the library netlib loaded. */
    private static Function find(String name) {
        if (!Gemm.isNative()) {
            return null;
        }
        try {
            return NativeLibrary.getInstance(Gemm.nativeLibrary()).getFunction(name);
        } catch (LinkageError e) {  // not OpenBLAS, or JNA missing from the classpath
            return null;
        }
    }

    /** Sets the most threads a product may use; returns whether the BLAS is native OpenBLAS. */
    public static synchronized boolean set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        ceiling = threads;
        apply(threads);
        return SET != null;
    }

    /** The most threads a product may use. */
    public static synchronized int ceiling() {
        return ceiling;
    }

    /** OpenBLAS's threads per call right now, or 0 when the BLAS is not native OpenBLAS. */
    public static int get() {
        return GET == null ? 0 : GET.invokeInt(new Object[0]);
    }

    /** Before a product of {@code multiplyAdds}: one thread below {@link #PARALLEL_MIN}, else the ceiling. */
    static synchronized void forProduct(long multiplyAdds) {
        apply(multiplyAdds < PARALLEL_MIN ? 1 : ceiling);
    }

    private static void apply(int threads) {
        if (SET != null && threads != applied) {
            SET.invokeVoid(new Object[] {threads});
            applied = threads;
        }
    }
}
