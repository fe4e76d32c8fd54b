package dev.ember.backend.cuda;

/**
 * The few things the CUDA backend needs from a device: raw memory, copies, kernel launches. Device
 * memory is addressed by plain {@code long}s (the values kernels receive as pointers). Everything is
 * queued in order on one stream; only the downloads wait for it. {@link JCudaGpu} implements this
 * with the driver API; tests also run the backend on a CPU simulation of the kernels.
 */
interface Gpu extends AutoCloseable {

    /** The device's name, e.g. "NVIDIA H200". */
    String name();

    int multiprocessorCount();

    /** Bytes of device memory in all (in use by anyone or free). */
    long totalMemory();

    /** Uninitialised device memory; throws {@link GpuOutOfMemoryException} when the device is full. */
    long allocate(long bytes);

    void free(long address);

    /** Sets {@code count} 32-bit words at {@code address} to {@code pattern}. */
    void fill32(long address, int pattern, long count);

    void upload(long address, float[] data);

    void upload(long address, long[] data);

    /** Copies device memory to {@code out} after all queued work has finished. */
    void download(long address, float[] out);

    void download(long address, long[] out);

    void download(long address, int[] out);

    /** Queues {@code kernel} of PTX module {@code module} (a resource under dev/ember/cuda/). */
    void launch(String module, String kernel, LaunchConfig config, KernelArgs args);

    /** Waits for all queued work; errors of earlier kernels surface here. */
    void synchronize();

    @Override
    void close();
}
