package dev.ember.spark;

import dev.ember.backend.Backends;
import dev.ember.core.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a Spark task computes. {@code device = cpu}: the CPU. {@code device = cuda}: the GPU address
 * Spark assigned the task ({@code TaskContext.resourcesJMap().get("gpu")}, scheduled because
 * {@link SparkSessions} asks for {@code spark.task.resource.gpu.amount}); masters that do not
 * schedule resources ({@code local[*]}) assign none, and then every task uses the job's ordinal
 * ({@code cuda} → 0, {@code cuda:N} → N). When that GPU cannot be opened the task either fails with
 * a message naming the executor host, the address and the cause, or, with {@code gpu_fallback =
 * true}, logs one line and runs on the CPU. Only plain values cross into tasks: the device is
 * chosen inside the task, never captured in a closure.
 */
final class GpuPlacement {
    /** Marks the failure message so that the driver can pick it out of Spark's stage-failure text. */
    static final String FAILURE = "ember: cannot use the GPU";

    /** Tries to open a device; throws when it cannot. */
    interface Opener {
        void open(Device device);
    }

    /** The device chosen for a task and one line describing the choice (shown per task on the driver). */
    record Choice(Device device, String address, boolean fellBack, String line) {
    }

    private GpuPlacement() {
    }

    /**
     * @param requested the job's {@code device} ({@code cpu}, {@code cuda}, {@code cuda:N})
     * @param fallback the job's {@code gpu_fallback}
     * @param assigned the GPU addresses Spark assigned the task (empty when none were scheduled)
     * @param host the executor's host name, for messages
     * @param opener opens a CUDA device or throws
     * @param log receives the one fallback line
     * @throws IllegalStateException starting with {@link #FAILURE} when the GPU cannot be opened and
     *         fallback is off
     */
    static Choice choose(String requested, boolean fallback, String[] assigned, String host, Opener opener,
                         Consumer<String> log) {
        Device wanted = Device.parse(requested);
        if (!wanted.isCuda()) {
            return new Choice(Device.cpu(), "", false, "cpu");
        }
        String address = assigned != null && assigned.length > 0 ? assigned[0].strip() : null;
        String from = address == null ? "no GPU assigned by Spark, using " + wanted
                : "GPU address " + address + " assigned by Spark";
        Device device;
        Throwable cause = null;
        try {
            device = address == null ? wanted : Device.cuda(Integer.parseInt(address));
        } catch (IllegalArgumentException e) {
            device = null;
            cause = new IllegalArgumentException("GPU address '" + address + "' is not a device ordinal");
        }
        if (cause == null) {
            try {
                opener.open(device);
                return new Choice(device, address == null ? "" : address, false, device + " (" + from + ")");
            } catch (RuntimeException | LinkageError e) {
                cause = e;
            }
        }
        String what = String.format(Locale.ROOT, "executor %s: %s %s (%s): %s", host, FAILURE,
                device == null ? "address " + address : device, from, message(cause));
        if (fallback) {
            String line = what + "; gpu_fallback = true, running on the CPU";
            log.accept(line);
            return new Choice(Device.cpu(), address == null ? "" : address, true,
                    "cpu (fallback: " + from + ", " + message(cause) + ")");
        }
        throw new IllegalStateException(what + " (set gpu_fallback = true to run on the CPU instead)", cause);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** The choice for the running task: its assigned GPU addresses, this host, {@link Backends} to open CUDA. */
    static Choice forTask(String requested, boolean fallback) {
        return choose(requested, fallback, assigned(TaskContext.get()), hostName(), Backends::of,
                line -> System.err.println(line));
    }

    static String[] assigned(TaskContext ctx) {
        if (ctx == null) {
            return new String[0];
        }
        Map<String, ResourceInformation> resources = ctx.resourcesJMap();
        ResourceInformation gpu = resources == null ? null : resources.get("gpu");
        return gpu == null ? new String[0] : gpu.addresses();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    /** The first line of a stage failure that carries {@link #FAILURE}, or null. */
    static String failureLine(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) {
                continue;
            }
            int j = m.indexOf(FAILURE);
            if (j >= 0) {
                int i = m.lastIndexOf("executor ", j);
                int start = i >= 0 ? i : j;
                int end = m.indexOf('\n', j);
                return m.substring(start, end < 0 ? m.length() : end);
            }
        }
        return null;
    }
}
