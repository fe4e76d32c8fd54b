package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Storage;

import java.lang.ref.Cleaner;

/**
 * Elements in device memory: FLOAT32 and BOOL as 4-byte floats, INT64 as 8-byte longs. The block
 * goes back to the backend's caching allocator on {@link #close()}, or when the storage becomes
 * unreachable (a Cleaner is the safety net; closing is prompt and preferred).
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final CachingAllocator.Block block;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    CudaStorage(Device device, DType dtype, int size, CachingAllocator allocator) {
        super(dtype, size);
        this.device = device;
        this.block = allocator.allocate(bytes(dtype, size));
        this.cleanable = CLEANER.register(this, new ReturnBlock(allocator, block));
    }

    static long bytes(DType dtype, int size) {
        return (long) size * (dtype == DType.INT64 ? 8 : 4);
    }

    /** The device address of element 0. */
    long address() {
        if (closed) {
            throw new IllegalStateException("this " + dtype().torchName() + " storage on " + device
                    + " was closed; its memory may already belong to another tensor");
        }
        return block.address();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();  // runs ReturnBlock at most once, whichever of close() and the GC comes first
    }

    /** Must not refer to the storage, or the storage could never become unreachable. */
    private record ReturnBlock(CachingAllocator allocator, CachingAllocator.Block block) implements Runnable {
        @Override
        public void run() {
            allocator.release(block);
        }
    }
}
