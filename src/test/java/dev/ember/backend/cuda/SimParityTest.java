package dev.ember.backend.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The parity suite on the CPU simulation of the kernels: checks kernel indexing, barriers, and the
 * launch parameters the Java side packs, on machines without a GPU. Skips where g++ is missing.
 */
class SimParityTest extends BackendParityContract {
    private static CudaBackend backend;

    @BeforeAll
    static void openSimulator() {
        if (SimGpu.unavailableReason() == null) {
            backend = new CudaBackend(new SimGpu(4), 0);
        }
    }

    /** Per test, so that every test is reported as skipped, with the reason. */
    @BeforeEach
    void requireSimulator() {
        assumeTrue(backend != null, () -> "skipping: " + SimGpu.unavailableReason());
    }

    @Override
    CudaBackend gpu() {
        return backend;
    }

    @Override
    int[][] bigTileShapes() {
        return new int[][] {{256, 64, 256}, {257, 72, 250}};  // 4 simulated SMs: 4 tiles are enough
    }
}
