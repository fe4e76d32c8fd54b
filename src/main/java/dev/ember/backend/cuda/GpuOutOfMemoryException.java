package dev.ember.backend.cuda;

/** The device could not satisfy an allocation even after the cache gave back its free blocks. */
public class GpuOutOfMemoryException extends CudaException {
    public GpuOutOfMemoryException(String message) {
        super(message);
    }
}
