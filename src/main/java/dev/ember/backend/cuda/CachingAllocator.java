package dev.ember.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory reuse, like PyTorch's caching allocator but simpler: requests are rounded up to a
 * size class (powers of two up to 1 MiB, then multiples of 2 MiB), and a released block waits in its
 * class's free list for the next request of that class. A training loop asks for the same sizes
 * every step, so after the first step no op pays for cuMemAlloc/cuMemFree (each of which also
 * synchronises the device). When the device is full, the cached blocks are freed and the
 * allocation retried once.
 *
 * <p>This class is only the policy: memory comes from a {@link RawMemory}, so it can be unit-tested
 * without a GPU. Thread-safe: storages are closed from any thread, including the Cleaner's.
 */
final class CachingAllocator {
    static final long MIN_BLOCK = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_GRANULE = 2L << 20;

    /** Where blocks come from and go to when the cache is emptied. */
    interface RawMemory {
        /** Throws {@link GpuOutOfMemoryException} when the device is full. */
        long allocate(long bytes);

        void free(long address);

        /** Waits until no queued kernel can still use a block about to be freed. */
        void synchronize();
    }

    /** A device block; {@code bytes} is its size class, at least what was asked for. */
    record Block(long address, long bytes) {
    }

    private final RawMemory raw;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long allocatedBytes;
    private long cachedBytes;
    private long rawAllocations;

    CachingAllocator(RawMemory raw) {
        this.raw = raw;
    }

    /** The size class serving a request of {@code bytes}. */
    static long sizeClass(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        if (bytes <= SMALL_LIMIT) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + LARGE_GRANULE - 1) / LARGE_GRANULE * LARGE_GRANULE;
    }

    synchronized Block allocate(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Block> list = free.get(size);
        Block block = list == null ? null : list.pollLast();  // the most recently freed is likeliest in L2
        if (block != null) {
            cachedBytes -= size;
        } else {
            block = new Block(allocateRaw(size), size);
        }
        allocatedBytes += size;
        return block;
    }

    private long allocateRaw(long size) {
        try {
            rawAllocations++;
            return raw.allocate(size);
        } catch (GpuOutOfMemoryException first) {
            emptyCache();
            try {
                return raw.allocate(size);
            } catch (GpuOutOfMemoryException second) {
                rawAllocations--;
                throw new GpuOutOfMemoryException("CUDA out of memory: tried to allocate " + mib(size)
                        + "; " + mib(allocatedBytes) + " held by live tensors (the cache was emptied first)");
            }
        }
    }

    /** Returns a block to its free list; the memory stays with the process for the next request. */
    synchronized void release(Block block) {
        allocatedBytes -= block.bytes();
        cachedBytes += block.bytes();
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).addLast(block);
    }

    /** Gives every cached block back to the device (PyTorch's empty_cache). */
    synchronized void emptyCache() {
        if (cachedBytes == 0) {
            return;
        }
        raw.synchronize();
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                raw.free(b.address());
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized CudaMemoryStats stats() {
        return new CudaMemoryStats(allocatedBytes, cachedBytes, rawAllocations);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
