package dev.ember.backend.cuda;

/** A CUDA failure, with a message naming the backend op or driver call that hit it. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
