package dev.ember.backend.cpu;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OpenBLAS's thread count is reachable and changing it changes nothing but speed. */
class BlasThreadsTest {

    @Test
    void setsOpenBlasThreadsPerCallAndKeepsResults() {
        int before = BlasThreads.get();
        assumeTrue(before > 0, "native OpenBLAS not in use (install libopenblas0-pthread)");
        Tensor a = Tensor.randn(200, 300);
        Tensor b = Tensor.randn(300, 150);
        try {
            float[] reference = a.matmul(b).toFloatArray();
            assertEquals(true, BlasThreads.set(1));
            assertEquals(1, BlasThreads.get());
            assertArrayEquals(reference, a.matmul(b).toFloatArray(), 1e-4f);
        } finally {
            BlasThreads.set(before);
        }
        assertEquals(before, BlasThreads.get());
    }
}
