package dev.ember.tensor.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Accuracy of the Cephes approximations on the inputs {@code normal_fill} gives them. Exactness
 * against PyTorch is the oracle test's job; this guards against a slip that would still look random.
 */
class AvxMathFunTest {
    private static final int STEPS = 1 << 18;

    @Test
    void logIsWithinOneUlpOnTheUnitInterval() {
        for (int k = 0; k < STEPS; k++) {
            float u = 1f - k * (1f / STEPS);
            double exact = StrictMath.log(u);
            float error = (float) Math.abs(AvxMathFun.log(u) - exact);
            assertTrue(error <= Math.ulp((float) exact), "log(" + u + ")");
        }
        assertEquals(0f, AvxMathFun.log(1f));
        assertTrue(Float.isNaN(AvxMathFun.log(0f)));
    }

    @Test
    void sinCosAreWithinAFloatEpsilonOverAFullTurn() {
        float[] sinCos = new float[2];
        for (int k = 0; k < STEPS; k++) {
            float theta = (float) (2 * Math.PI) * k / STEPS;
            AvxMathFun.sinCos(theta, sinCos);
            assertEquals(StrictMath.sin(theta), sinCos[0], Math.ulp(1f), "sin(" + theta + ")");
            assertEquals(StrictMath.cos(theta), sinCos[1], Math.ulp(1f), "cos(" + theta + ")");
        }
    }
}
