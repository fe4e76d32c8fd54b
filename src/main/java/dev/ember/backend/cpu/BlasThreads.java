package dev.ember.backend.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * How many threads native OpenBLAS uses per call, process-wide. By default it takes every core,
 * which is right for one trainer per JVM; when several trainers share a JVM (Spark tasks of one
 * executor, or local[N]) each call should stay on its caller's thread: OpenBLAS queues concurrent
 * multi-threaded calls on one thread pool, so the tasks would mostly wait for each other.
 * A no-op (returning false) when the BLAS in use is not native OpenBLAS.
 */
public final class BlasThreads {
    private static final Function SET = find("openblas_set_num_threads");
    private static final Function GET = find("openblas_get_num_threads");

    private BlasThreads() {
    }

    /** A function of the library netlib loaded. */
    private static Function find(String name) {
        if (!Gemm.implementation().contains("JNIBLAS")) {
            return null;
        }
        try {
            return NativeLibrary.getInstance(Gemm.nativeLibrary()).getFunction(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** Sets OpenBLAS's threads per call; returns whether it could. */
    public static boolean set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        if (SET == null) {
            return false;
        }
        SET.invokeVoid(new Object[] {threads});
        return true;
    }

    /** OpenBLAS's threads per call, or 0 when the BLAS is not native OpenBLAS. */
    public static int get() {
        return GET == null ? 0 : GET.invokeInt(new Object[0]);
    }
}
