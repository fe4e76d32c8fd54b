package dev.ember.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Device memory reuse, like PyTorch's caching allocator but simpler: requests are rounded up to a
 * size class (powers of two up to 1 MiB, then multiples of 2 MiB), and a released block waits in its
 * class's free list for the next request of that class. A training loop asks for the same sizes
 * every step, so after the first step no op pays for cuMemAlloc/cuMemFree (each of which also
 * synchronises the device).
 *
 * <p>Java frees storages by garbage collection, which knows nothing of device memory: tensors the
 * program dropped can hold gigabytes until the next GC. So before the device footprint (held plus
 * cached bytes) passes the budget, or when the device is full, the allocator asks for a collection
 * and waits briefly for the Cleaner to hand those blocks back; only then does it free its cache or
 * give up.
 *
 * <p>This class is only the policy: memory comes from a {@link RawMemory} and collections from a
 * hook, so it can be unit-tested without a GPU. Thread-safe: storages are released from any thread,
 * including the Cleaner's.
 */
final class CachingAllocator {
    static final long MIN_BLOCK = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_GRANULE = 2L << 20;
    /** How long to wait for the Cleaner after a collection, and for how long a quiet spell ends it. */
    private static final long RECLAIM_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long RECLAIM_QUIET_MILLIS = 5;

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
    private final long budgetBytes;
    private final Runnable collectGarbage;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long allocatedBytes;
    private long cachedBytes;
    private long rawAllocations;
    private long releases;
    private long reclaimThreshold;

    /**
     * @param budgetBytes    the device footprint beyond which garbage is collected before growing
     * @param collectGarbage asks the JVM for a collection (System::gc), so unreachable storages are released
     */
    CachingAllocator(RawMemory raw, long budgetBytes, Runnable collectGarbage) {
        this.raw = raw;
        this.budgetBytes = budgetBytes;
        this.collectGarbage = collectGarbage;
        this.reclaimThreshold = budgetBytes;
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
        Block block = takeCached(size);
        if (block == null && allocatedBytes + cachedBytes + size > reclaimThreshold) {
            reclaimGarbage();
            block = takeCached(size);
            if (block == null && allocatedBytes + cachedBytes + size > budgetBytes) {
                emptyCache();
            }
            // When live tensors alone exceed the budget, collecting on every allocation would only
            // stall: wait until the footprint has grown by another eighth of the budget.
            long footprint = allocatedBytes + cachedBytes + size;
            reclaimThreshold = footprint > budgetBytes ? footprint + budgetBytes / 8 : budgetBytes;
        }
        if (block == null) {
            block = new Block(allocateRaw(size), size);
        }
        allocatedBytes += size;
        return block;
    }

    private Block takeCached(long size) {
        ArrayDeque<Block> list = free.get(size);
        Block block = list == null ? null : list.pollLast();  // the most recently freed is likeliest in L2
        if (block != null) {
            cachedBytes -= size;
        }
        return block;
    }

    private long allocateRaw(long size) {
        try {
            return counted(raw.allocate(size));
        } catch (GpuOutOfMemoryException full) {
            reclaimGarbage();
            emptyCache();
            try {
                return counted(raw.allocate(size));
            } catch (GpuOutOfMemoryException stillFull) {
                throw new GpuOutOfMemoryException("CUDA out of memory: tried to allocate " + mib(size)
                        + "; " + mib(allocatedBytes) + " held by live tensors (garbage was collected and the cache"
                        + " emptied first)");
            }
        }
    }

    private long counted(long address) {
        rawAllocations++;
        return address;
    }

    /**
     * Runs a collection, then waits (letting go of the lock, which the Cleaner needs) until the
     * blocks of collected storages have stopped coming back, or a short deadline passes.
     */
    private void reclaimGarbage() {
        long before = releases;
        collectGarbage.run();
        long deadline = System.nanoTime() + RECLAIM_WAIT_NANOS;
        try {
            while (System.nanoTime() < deadline) {
                long seen = releases;
                wait(RECLAIM_QUIET_MILLIS);
                if (releases == seen && releases != before) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns a block to its free list; the memory stays with the process for the next request. */
    synchronized void release(Block block) {
        allocatedBytes -= block.bytes();
        cachedBytes += block.bytes();
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).addLast(block);
        releases++;
        notifyAll();
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
