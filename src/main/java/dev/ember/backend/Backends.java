package dev.ember.backend;

import dev.ember.backend.cpu.CpuBackend;
import dev.ember.core.Device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** Finds the backend of a device. CUDA backends are created on first use, one per device ordinal. */
public final class Backends {
    private static final Map<Device, Backend> CUDA = new ConcurrentHashMap<>();

    private Backends() {
    }

    public static Backend of(Device device) {
        if (!device.isCuda()) {
            return CpuBackend.INSTANCE;
        }
        return CUDA.computeIfAbsent(device, Backends::openCuda);
    }

    /**
     * Puts {@code wrap} of a CUDA device's backend in its place (a profiler's timing proxy): every
     * tensor op on that device goes through the wrapper from then on.
     */
    public static void instrument(Device device, UnaryOperator<Backend> wrap) {
        if (!device.isCuda()) {
            throw new IllegalArgumentException("only CUDA backends can be instrumented, not " + device);
        }
        CUDA.put(device, wrap.apply(of(device)));
    }

    private static Backend openCuda(Device device) {
        try {
            Class<?> cls = Class.forName("dev.ember.backend.cuda.CudaBackend");
            return (Backend) cls.getMethod("open", int.class).invoke(null, device.index());
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot open " + device + ": " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the CUDA backend is not on the classpath", e);
        }
    }
}
