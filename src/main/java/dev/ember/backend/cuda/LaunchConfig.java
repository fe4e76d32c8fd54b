package dev.ember.backend.cuda;

/** Grid and block sizes of one launch (blocks are one-dimensional in every Ember kernel). */
record LaunchConfig(int gridX, int gridY, int gridZ, int blockX) {

    /** Threads per block of the elementwise and indexing kernels. */
    static final int THREADS = 256;

    /**
     * Enough 256-thread blocks to fill every SM (8 each) or to give each element a thread, whichever
     * is fewer: the kernels use grid-stride loops, so more blocks would only add scheduling overhead.
     */
    static LaunchConfig elementwise(long elements, int multiprocessors) {
        long blocks = Math.min((elements + THREADS - 1) / THREADS, 8L * multiprocessors);
        return new LaunchConfig((int) Math.max(blocks, 1), 1, 1, THREADS);
    }
}
