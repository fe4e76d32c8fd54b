package dev.ember.backend;

import dev.ember.backend.cpu.CpuBackend;
import dev.ember.core.Device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
