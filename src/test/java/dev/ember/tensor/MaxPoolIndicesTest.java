package dev.ember.tensor;

import dev.ember.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor.maxPool2d's values, indices and gradient routing, worked by hand with PyTorch's rules. */
class MaxPoolIndicesTest {

    private static ConvGeometry pool(int h, int w, int k, int stride, int pad) {
        return new ConvGeometry(1, h, w, k, k, stride, stride, pad, pad, 1, 1);
    }

    @Test
    void overlappingWindowsPickTheirMaximumAndShareItsGradient() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 7, 3, 9, 4, 8, 6}).view(1, 1, 3, 3).requiresGrad(true);
        Tensor.ValuesIndices r = x.maxPool2d(pool(3, 3, 2, 1, 0));
        assertArrayEquals(new float[] {7, 9, 8, 9}, r.values().toFloatArray());
        assertArrayEquals(new long[] {3, 5, 7, 5}, r.indices().toLongArray());
        r.values().sum().backward();
        // position 5 (the 9) wins two windows, so it collects both gradients
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 2, 0, 1, 0}, x.grad().toFloatArray());
    }

    @Test
    void paddingNeverWinsEvenAgainstMinusInfinity() {
        Tensor x = Tensor.full(Float.NEGATIVE_INFINITY, 1, 1, 3, 3);
        Tensor.ValuesIndices r = x.maxPool2d(pool(3, 3, 2, 2, 1));
        // each window's first position inside the image, as PyTorch reports it
        assertArrayEquals(new long[] {0, 1, 3, 4}, r.indices().toLongArray());
    }

    @Test
    void theLastNaNInAWindowWins() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, Float.NaN, 2}).view(1, 1, 2, 2);
        Tensor.ValuesIndices r = x.maxPool2d(pool(2, 2, 2, 2, 0));
        assertTrue(Float.isNaN(r.values().toFloatArray()[0]));
        assertArrayEquals(new long[] {2}, r.indices().toLongArray());
    }
}
