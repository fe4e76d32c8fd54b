package dev.ember.bench;

import dev.ember.backend.Backend;
import dev.ember.backend.ConvGeometry;
import dev.ember.core.Layout;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Where a training step's time goes on a backend: a proxy that times every Backend call, waiting
 * for the device before and after each, so a call's time is its own host and device time. Calls
 * that Backend composes by default (convolution, batch norm on CUDA) go through the proxy again, so
 * their parts are timed too and printed indented under them.
 */
final class BackendProfile implements InvocationHandler {
    private record Totals(int depth, String call, long[] nanosAndCalls) {
    }

    private final Backend target;
    private final Runnable waitForDevice;
    private final Map<String, Totals> totals = new LinkedHashMap<>();
    private final List<String> path = new ArrayList<>();
    private boolean recording;

    private BackendProfile(Backend target, Runnable waitForDevice) {
        this.target = target;
        this.waitForDevice = waitForDevice;
    }

    /** The proxy and its profile; {@code waitForDevice} blocks until queued device work is done. */
    static BackendProfile wrap(Backend target, Runnable waitForDevice) {
        return new BackendProfile(target, waitForDevice);
    }

    Backend proxy() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, this);
    }

    void record(boolean on) {
        recording = on;
    }

    void reset() {
        totals.clear();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (!recording || method.getDeclaringClass() == Object.class) {
            return call(proxy, method, args);
        }
        String call = describe(method, args);
        // the caller's entry is made before its inner calls', so callers print first
        long[] t = totals.computeIfAbsent(String.join(" / ", path) + " / " + call,
                k -> new Totals(path.size(), call, new long[2])).nanosAndCalls();
        path.add(method.getName());
        waitForDevice.run();
        long start = System.nanoTime();
        try {
            Object result = call(proxy, method, args);
            waitForDevice.run();
            t[0] += System.nanoTime() - start;
            t[1]++;
            return result;
        } finally {
            path.remove(path.size() - 1);
        }
    }

    /** A default method the target does not override runs on the proxy, so its inner calls are timed too. */
    private Object call(Object proxy, Method method, Object[] args) throws Throwable {
        try {
            Method own = target.getClass().getMethod(method.getName(), method.getParameterTypes());
            if (method.isDefault() && own.getDeclaringClass() == Backend.class) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String describe(Method method, Object[] args) {
        StringJoiner parts = new StringJoiner(" ", method.getName() + "(", ")");
        for (Object a : args == null ? new Object[0] : args) {
            if (a instanceof Layout l) {
                parts.add(l.shape().toString());
            } else if (a instanceof Enum<?> e) {
                parts.add(e.name());
            } else if (a instanceof ConvGeometry g) {
                parts.add(g.channels() + "x" + g.inH() + "x" + g.inW() + " k" + g.kH() + "x" + g.kW());
            }
        }
        return parts.toString();
    }

    /** Prints "PROF label ms-per-step calls-per-step call" lines, nested calls indented under their caller. */
    void print(String label, int steps) {
        for (Totals e : totals.values()) {
            long[] t = e.nanosAndCalls();
            System.out.printf(Locale.ROOT, "PROF %s %8.3f ms %5.1f x %s%s%n", label, t[0] / 1e6 / steps,
                    (double) t[1] / steps, "  ".repeat(e.depth()), e.call());
        }
    }
}
