package dev.ember.backend.cuda;

/**
 * A snapshot of the caching allocator: bytes held by live storages, bytes of free blocks kept for
 * reuse, and how many times device memory was actually allocated (cuMemAlloc) so far.
 */
public record CudaMemoryStats(long allocatedBytes, long cachedBytes, long rawAllocations) {
}
