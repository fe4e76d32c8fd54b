package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Storage;

/** What every group of ops shares: the device, its memory cache and the launch path. */
final class CudaContext {
    final Gpu gpu;
    final Device device;
    final CachingAllocator allocator;

    /**
     * The share of device memory the allocator fills before it collects garbage first (PyTorch's
     * set_per_process_memory_fraction, roughly): -Dember.cuda.memoryFraction, default 0.9.
     */
    private static final double MEMORY_FRACTION = Double.parseDouble(System.getProperty("ember.cuda.memoryFraction",
            "0.9"));

    CudaContext(Gpu gpu, Device device) {
        this.gpu = gpu;
        this.device = device;
        long budget = (long) (gpu.totalMemory() * MEMORY_FRACTION);
        this.allocator = new CachingAllocator(new CachingAllocator.RawMemory() {
            @Override
            public long allocate(long bytes) {
                return gpu.allocate(bytes);
            }

            @Override
            public void free(long address) {
                gpu.free(address);
            }

            @Override
            public void synchronize() {
                gpu.synchronize();
            }
        }, budget, System::gc);
    }

    int multiprocessors() {
        return gpu.multiprocessorCount();
    }

    /** A storage whose contents are undefined; every caller overwrites all of it. */
    CudaStorage uninitialized(DType dtype, int size) {
        return new CudaStorage(device, dtype, size, allocator);
    }

    /** The device storage behind {@code s}, or a clear error when it lives elsewhere. */
    CudaStorage cuda(Storage s) {
        if (s instanceof CudaStorage c && c.device().equals(device)) {
            return c;
        }
        throw new IllegalArgumentException("expected a storage on " + device + ", got one on " + s.device());
    }

    void launch(String module, String kernel, LaunchConfig config, KernelArgs args) {
        gpu.launch(module, kernel, config, args);
    }

    /** The kernel-name suffix of a dtype's element representation. */
    static String suffix(DType dtype) {
        return dtype == DType.INT64 ? "i64" : "f32";
    }
}
