package dev.ember.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocator's bookkeeping against a fake device: no GPU needed. */
class CachingAllocatorTest {
    private static final Runnable NO_GC = () -> {
    };

    /** Hands out fake addresses and can pretend to be full. */
    static final class FakeMemory implements CachingAllocator.RawMemory {
        long next = 0x10000;
        long capacity = Long.MAX_VALUE;
        long inUse;
        int allocations;
        int frees;
        int synchronizations;
        final List<Long> freed = new ArrayList<>();
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        @Override
        public long allocate(long bytes) {
            if (inUse + bytes > capacity) {
                throw new GpuOutOfMemoryException("fake device full");
            }
            allocations++;
            inUse += bytes;
            long address = next;
            next += bytes;
            sizes.put(address, bytes);
            return address;
        }

        @Override
        public void free(long address) {
            frees++;
            inUse -= sizes.remove(address);
            freed.add(address);
        }

        @Override
        public void synchronize() {
            synchronizations++;
        }
    }

    @Test
    void sizeClassesArePowersOfTwoThenTwoMebibyteSteps() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1 << 20, CachingAllocator.sizeClass((1 << 19) + 1));
        assertEquals(1 << 20, CachingAllocator.sizeClass(1 << 20));
        assertEquals(2 << 20, CachingAllocator.sizeClass((1 << 20) + 1));
        assertEquals(64L << 20, CachingAllocator.sizeClass(64L << 20));
        assertEquals(66L << 20, CachingAllocator.sizeClass((64L << 20) + 4));
    }

    @Test
    void releasedBlocksServeLaterRequestsOfTheirClass() {
        FakeMemory mem = new FakeMemory();
        CachingAllocator a = new CachingAllocator(mem, Long.MAX_VALUE, NO_GC);
        CachingAllocator.Block first = a.allocate(1000);
        assertEquals(1024, first.bytes());
        a.release(first);
        CachingAllocator.Block second = a.allocate(900);
        assertEquals(first.address(), second.address(), "same class: the cached block is reused");
        assertEquals(1, mem.allocations);
        CachingAllocator.Block other = a.allocate(3000);
        assertNotEquals(first.address(), other.address());
        assertEquals(2, mem.allocations, "another class needs its own block");
        assertEquals(new CudaMemoryStats(1024 + 4096, 0, 2), a.stats());
        a.release(second);
        a.release(other);
        assertEquals(new CudaMemoryStats(0, 1024 + 4096, 2), a.stats());
    }

    @Test
    void aTrainingLoopAllocatesOnlyInItsFirstStep() {
        FakeMemory mem = new FakeMemory();
        CachingAllocator a = new CachingAllocator(mem, Long.MAX_VALUE, NO_GC);
        int[] sizes = {784 * 256 * 4, 256 * 4, 64 * 784 * 4, 64 * 256 * 4, 64 * 10 * 4, 4};
        for (int step = 0; step < 5; step++) {
            List<CachingAllocator.Block> live = new ArrayList<>();
            for (int s : sizes) {
                live.add(a.allocate(s));
            }
            live.forEach(a::release);
        }
        assertEquals(sizes.length, mem.allocations);
        assertEquals(0, mem.frees);
    }

    @Test
    void whenTheDeviceIsFullTheCacheIsEmptiedAndTheRequestRetried() {
        FakeMemory mem = new FakeMemory();
        mem.capacity = 8L << 20;
        CachingAllocator a = new CachingAllocator(mem, Long.MAX_VALUE, NO_GC);
        CachingAllocator.Block big = a.allocate(6L << 20);
        a.release(big);
        CachingAllocator.Block other = a.allocate(4L << 20);  // a different class; only fits once big is freed
        assertEquals(List.of(big.address()), mem.freed);
        assertEquals(1, mem.synchronizations, "queued kernels may still use cached blocks: wait before freeing");
        assertEquals(new CudaMemoryStats(4L << 20, 0, 2), a.stats());
        GpuOutOfMemoryException e = assertThrows(GpuOutOfMemoryException.class, () -> a.allocate(6L << 20));
        assertTrue(e.getMessage().contains("tried to allocate 6.0 MiB"), e.getMessage());
        assertEquals(new CudaMemoryStats(4L << 20, 0, 2), a.stats(), "a failed request leaves no trace");
        a.release(other);
    }

    @Test
    void garbageIsCollectedBeforeTheFootprintPassesTheBudget() {
        FakeMemory mem = new FakeMemory();
        CachingAllocator.Block[] garbage = new CachingAllocator.Block[1];
        int[] collections = {0};
        CachingAllocator[] a = new CachingAllocator[1];
        // the "GC" finds the dropped storage and its Cleaner releases the block
        a[0] = new CachingAllocator(mem, 3L << 20, () -> {
            collections[0]++;
            a[0].release(garbage[0]);
        });
        garbage[0] = a[0].allocate(2L << 20);
        CachingAllocator.Block next = a[0].allocate(2L << 20);
        assertEquals(1, collections[0]);
        assertEquals(garbage[0].address(), next.address(), "the collected block is reused, not a new one");
        assertEquals(1, mem.allocations);
    }

    @Test
    void liveTensorsBeyondTheBudgetDoNotCauseACollectionPerAllocation() {
        FakeMemory mem = new FakeMemory();
        int[] collections = {0};
        CachingAllocator a = new CachingAllocator(mem, 64L << 20, () -> collections[0]++);
        for (int i = 0; i < 72; i++) {
            a.allocate(1L << 20);
        }
        assertEquals(1, collections[0], "after a fruitless collection, the next waits for an eighth more");
        assertEquals(72, mem.allocations, "the budget is soft: live tensors get their memory");
    }

    @Test
    void emptyCacheFreesOnlyCachedBlocks() {
        FakeMemory mem = new FakeMemory();
        CachingAllocator a = new CachingAllocator(mem, Long.MAX_VALUE, NO_GC);
        CachingAllocator.Block held = a.allocate(100);
        CachingAllocator.Block cached = a.allocate(5000);
        a.release(cached);
        a.emptyCache();
        assertEquals(List.of(cached.address()), mem.freed);
        assertEquals(new CudaMemoryStats(512, 0, 2), a.stats());
        a.emptyCache();
        assertEquals(1, mem.frees, "nothing left to free");
        a.release(held);
    }
}
