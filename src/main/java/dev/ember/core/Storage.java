package dev.ember.core;

/**
 * A flat block of elements that one or more tensors view. The version counter is shared by every
 * view of the storage; in-place writes bump it so autograd can tell when a tensor it saved for
 * backward was overwritten (PyTorch's version counter). Device memory is released by
 * {@link #close()}; host storage needs no closing.
 */
public abstract class Storage implements AutoCloseable {
    private final DType dtype;
    private final int size;
    private int version;

    protected Storage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final int size() {
        return size;
    }

    public abstract Device device();

    public final int version() {
        return version;
    }

    /** Marks an in-place write. */
    public final void bumpVersion() {
        version++;
    }

    @Override
    public void close() {
        // host memory is reclaimed by the garbage collector
    }
}
