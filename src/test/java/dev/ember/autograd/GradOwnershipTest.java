package dev.ember.autograd;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/** Leaves may take a fresh gradient without copying it, but never one that something else shares. */
class GradOwnershipTest {

    @Test
    void inputsOfOneAddGetIndependentGradients() {
        Tensor a = Tensor.of(1, 2, 3).requiresGrad(true);
        Tensor b = Tensor.of(4, 5, 6).requiresGrad(true);
        a.add(b).sum().backward();
        a.grad().mulInPlace(10);
        assertArrayEquals(new float[] {1, 1, 1}, b.grad().toFloatArray());
        assertNotSame(a.grad().storage(), b.grad().storage());
    }

    @Test
    void aLeafNeverAliasesTheGradientPassedToBackward() {
        Tensor x = Tensor.of(1, 2).requiresGrad(true);
        Tensor y = x.mul(1.0).add(0.0);
        Tensor seed = Tensor.of(3, 4);
        y.backward(seed);
        seed.mulInPlace(0);
        assertArrayEquals(new float[] {3, 4}, x.grad().toFloatArray());
    }

    @Test
    void aStolenGradientStillAccumulatesCorrectlyOnTheNextBackward() {
        Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
        Tensor x = Tensor.of(2, 2, 2);
        w.mul(x).sum().backward();
        w.mul(x).sum().backward();
        assertArrayEquals(new float[] {4, 4, 4}, w.grad().toFloatArray());
        assertArrayEquals(new float[] {2, 2, 2}, x.toFloatArray());
    }
}
