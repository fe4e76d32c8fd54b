package dev.ember.backend.cuda;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The training parity check on a real CUDA device (cuda:0); skipped where there is none. */
@Tag("gpu")
class CudaTrainingTest extends TrainingParityContract {

    @BeforeEach
    void requireDevice() {
        assumeTrue(CudaBackend.isAvailable(), "skipping: no CUDA device (no driver, or no GPU visible)");
    }
}
