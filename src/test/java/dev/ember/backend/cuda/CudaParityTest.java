package dev.ember.backend.cuda;

import dev.ember.backend.Backends;
import dev.ember.core.Device;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The parity suite on a real CUDA device (cuda:0); skipped where there is none. */
@Tag("gpu")
class CudaParityTest extends BackendParityContract {
    private static CudaBackend backend;

    @BeforeAll
    static void openDevice() {
        if (CudaBackend.isAvailable()) {
            backend = (CudaBackend) Backends.of(Device.cuda(0));
        }
    }

    /** Per test, so that every test is reported as skipped, with the reason. */
    @BeforeEach
    void requireDevice() {
        assumeTrue(backend != null, "skipping: no CUDA device (no driver, or no GPU visible)");
    }

    @Override
    CudaBackend gpu() {
        return backend;
    }

    @Override
    int[][] bigTileShapes() {
        return new int[][] {{1536, 64, 1536}, {1540, 72, 1530}};  // more 128x128 tiles than any GPU has SMs
    }
}
