package dev.ember.backend.cpu;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OpenBLAS's thread count follows the ceiling and each product's size, and changes nothing but speed. */
class BlasThreadsTest {

    @Test
    void smallProductsRunOnOneThreadLargeOnesUpToTheCeiling() {
        assumeTrue(BlasThreads.get() > 0, "native OpenBLAS not in use (install libopenblas0-pthread)");
        int before = BlasThreads.ceiling();
        Tensor small = Tensor.randn(64, 100);
        Tensor big = Tensor.randn(512, 512);  // 512³ = 2^27 multiply-adds, above the threshold
        try {
            assertEquals(true, BlasThreads.set(2));
            float[] reference = small.matmul(small.t()).toFloatArray();
            assertEquals(1, BlasThreads.get());
            big.matmul(big);
            assertEquals(2, BlasThreads.get());
            BlasThreads.set(1);
            assertArrayEquals(reference, small.matmul(small.t()).toFloatArray(), 1e-4f);
            big.matmul(big);
            assertEquals(1, BlasThreads.get(), "the ceiling bounds large products too");
        } finally {
            BlasThreads.set(before);
        }
        assertEquals(before, BlasThreads.ceiling());
    }
}
