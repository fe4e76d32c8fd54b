package dev.ember.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * {@link Gpu} over the JCuda driver API: the device's primary context (shared with any other
 * CUDA user in the process), one stream, and the PTX modules loaded on first use and kept.
 *
 * <p>The stream is a blocking one, so the synchronous cuMemcpy calls (which run on the legacy
 * default stream) wait for queued kernels and later kernels wait for them; a copy from a Java array
 * must be synchronous anyway, since JCuda only pins the array for the duration of the call.
 */
final class JCudaGpu implements Gpu {
    /** Set -Dember.cuda.launchBlocking=true to wait after every kernel, so errors name their op. */
    private static final boolean LAUNCH_BLOCKING = Boolean.getBoolean("ember.cuda.launchBlocking");

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final String name;
    private final int multiprocessors;
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<String, Launcher> launchers = new ConcurrentHashMap<>();
    /** Device pointers by address: memcpy and free want JCuda's own pointer objects. */
    private final Map<Long, CUdeviceptr> pointers = new ConcurrentHashMap<>();

    private JCudaGpu(int ordinal) {
        this.ordinal = ordinal;
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        cuStreamCreate(stream, 0);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, device);
        this.name = new String(nameBytes, StandardCharsets.US_ASCII).trim().replace("\0", "");
        this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    }

    /** Opens device {@code ordinal}; fails with a clear message when there is no such device. */
    static JCudaGpu open(int ordinal) {
        int count = deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("cuda:" + ordinal + " does not exist: " + count + " CUDA device(s) visible");
        }
        try {
            return new JCudaGpu(ordinal);
        } catch (jcuda.CudaException e) {
            throw new CudaException("opening cuda:" + ordinal + " failed: " + e.getMessage(), e);
        }
    }

    /** The number of CUDA devices, or 0 when there is no driver or no device. */
    static int deviceCount() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            return count[0];
        } catch (jcuda.CudaException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            return 0;
        }
    }

    private int attribute(int attribute) {
        int[] value = new int[1];
        cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int multiprocessorCount() {
        return multiprocessors;
    }

    @Override
    public long totalMemory() {
        activate();
        long[] free = new long[1];
        long[] total = new long[1];
        call("cuMemGetInfo", () -> cuMemGetInfo(free, total));
        return total[0];
    }

    /** The last thread that made our context current: it needs no driver call to do so again. */
    private volatile Thread activeThread;

    /**
     * Makes our context current on the calling thread; contexts are per thread in the driver API.
     * A thread keeps its current context until someone sets another, and nothing in Ember does, so
     * the call is skipped when this thread was the last to make it.
     */
    private void activate() {
        Thread t = Thread.currentThread();
        if (activeThread != t) {
            cuCtxSetCurrent(context);
            activeThread = t;
        }
    }

    @Override
    public long allocate(long bytes) {
        activate();
        DevicePointer p = new DevicePointer();
        try {
            cuMemAlloc(p, bytes);
        } catch (jcuda.CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw new GpuOutOfMemoryException("cuMemAlloc of " + bytes + " bytes on cuda:" + ordinal + ": "
                        + e.getMessage());
            }
            throw wrap("cuMemAlloc of " + bytes + " bytes", e);
        }
        pointers.put(p.address(), p);
        return p.address();
    }

    @Override
    public void free(long address) {
        activate();
        CUdeviceptr p = pointers.remove(address);
        if (p != null) {
            call("cuMemFree", () -> cuMemFree(p));
        }
    }

    @Override
    public void fill32(long address, int pattern, long count) {
        activate();
        call("cuMemsetD32Async", () -> cuMemsetD32Async(pointer(address), pattern, count, stream));
    }

    @Override
    public void upload(long address, float[] data) {
        copyIn(address, Pointer.to(data), data.length * 4L);
    }

    @Override
    public void upload(long address, long[] data) {
        copyIn(address, Pointer.to(data), data.length * 8L);
    }

    private void copyIn(long address, Pointer host, long bytes) {
        if (bytes > 0) {
            activate();
            call("cuMemcpyHtoD", () -> cuMemcpyHtoD(pointer(address), host, bytes));
        }
    }

    @Override
    public void download(long address, float[] out) {
        copyOut(address, Pointer.to(out), out.length * 4L);
    }

    @Override
    public void download(long address, long[] out) {
        copyOut(address, Pointer.to(out), out.length * 8L);
    }

    @Override
    public void download(long address, int[] out) {
        copyOut(address, Pointer.to(out), out.length * 4L);
    }

    private void copyOut(long address, Pointer host, long bytes) {
        synchronize();
        if (bytes > 0) {
            call("cuMemcpyDtoH", () -> cuMemcpyDtoH(host, pointer(address), bytes));
        }
    }

    @Override
    public void launch(String module, String kernel, LaunchConfig c, KernelArgs args) {
        activate();
        Launcher l = launcher(module, kernel);
        synchronized (l) {
            Pointer params = l.params(args);
            try {
                cuLaunchKernel(l.function, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), 1, 1, 0, stream, params, null);
            } catch (jcuda.CudaException e) {
                throw wrap("launching kernel " + kernel + " " + c, e);
            }
        }
        if (LAUNCH_BLOCKING) {
            call("kernel " + kernel, () -> cuStreamSynchronize(stream));
        }
    }

    /**
     * One kernel's launch state, made on its first launch: the function handle and a direct buffer
     * that receives the packed parameter words, with the {@code void**} array of pointers into it
     * that cuLaunchKernel takes. The driver copies the parameters during the call, so the buffer is
     * reused by the next launch; a launch is thus one bulk copy and one JNI call.
     */
    private static final class Launcher {
        final CUfunction function;
        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);
        private IntBuffer words = buffer.asIntBuffer();
        private int[] starts = new int[0];
        private Pointer params;

        Launcher(CUfunction function) {
            this.function = function;
        }

        Pointer params(KernelArgs args) {
            if (!sameLayout(args)) {
                layout(args);
            }
            words.put(0, args.words(), 0, args.wordCount());
            return params;
        }

        private boolean sameLayout(KernelArgs args) {
            if (params == null || args.count() != starts.length || args.wordCount() > words.capacity()) {
                return false;
            }
            for (int i = 0; i < starts.length; i++) {
                if (args.start(i) != starts[i]) {
                    return false;
                }
            }
            return true;
        }

        private void layout(KernelArgs args) {
            buffer = ByteBuffer.allocateDirect(Math.max(4 * args.wordCount(), 8) + 64).order(ByteOrder.nativeOrder());
            words = buffer.asIntBuffer();
            starts = new int[args.count()];
            Pointer base = Pointer.to(buffer);
            Pointer[] each = new Pointer[args.count()];
            for (int i = 0; i < each.length; i++) {
                starts[i] = args.start(i);
                each[i] = base.withByteOffset(4L * starts[i]);
            }
            params = Pointer.to(each);
        }
    }

    @Override
    public void synchronize() {
        activate();
        call("cuStreamSynchronize (an earlier kernel failed; -Dember.cuda.launchBlocking=true names it)",
                () -> cuStreamSynchronize(stream));
    }

    @Override
    public void close() {
        activate();
        cuStreamSynchronize(stream);
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }

    private Launcher launcher(String module, String kernel) {
        Launcher l = launchers.get(kernel);  // kernel names are unique across modules
        if (l == null) {
            l = launchers.computeIfAbsent(kernel, k -> {
                CUfunction f = new CUfunction();
                call("finding kernel " + kernel + " in " + module + ".ptx",
                        () -> cuModuleGetFunction(f, modules.computeIfAbsent(module, this::loadModule), kernel));
                return new Launcher(f);
            });
        }
        return l;
    }

    /** JIT-compiles a PTX resource for this device (the driver caches the result on disk). */
    private CUmodule loadModule(String module) {
        String resource = "/dev/ember/cuda/" + module + ".ptx";
        byte[] ptx;
        try (InputStream in = JCudaGpu.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new CudaException("missing PTX resource " + resource);
            }
            byte[] text = in.readAllBytes();
            ptx = Arrays.copyOf(text, text.length + 1);  // the driver wants a NUL-terminated string
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        CUmodule m = new CUmodule();
        byte[] image = ptx;
        call("loading " + resource + " (PTX ISA 7.8, sm_80+; needs a driver for CUDA 11.8 or newer)",
                () -> cuModuleLoadData(m, image));
        return m;
    }

    private CUdeviceptr pointer(long address) {
        CUdeviceptr p = pointers.get(address);
        if (p == null) {
            throw new IllegalArgumentException("0x" + Long.toHexString(address) + " is not a block of cuda:" + ordinal);
        }
        return p;
    }

    private interface DriverCall {
        int run();
    }

    private void call(String what, DriverCall c) {
        try {
            c.run();
        } catch (jcuda.CudaException e) {
            throw wrap(what, e);
        }
    }

    private CudaException wrap(String what, jcuda.CudaException e) {
        return new CudaException(what + " on cuda:" + ordinal + " failed: " + e.getMessage(), e);
    }

    /** JCuda hides a pointer's address; a subclass may read it, and kernels need it as a number. */
    private static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }
}
