package dev.ember.backend.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The branch-free comparisons agree with Java's own operators on every awkward pair. */
class FloatCompareTest {
    private static final float[] VALUES = {0f, -0f, 1f, -1f, 1e-45f, -1e-45f, 3.4e38f, -3.4e38f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.1f, 0.10000001f, 2.5f, -2.5f};

    private static float of(boolean b) {
        return b ? 1f : 0f;
    }

    @Test
    void everyComparisonMatchesTheOperatorsOnEdgeCases() {
        for (float x : VALUES) {
            for (float y : VALUES) {
                String pair = x + " vs " + y;
                assertEquals(of(x > y), FloatCompare.gt(x, y), "gt " + pair);
                assertEquals(of(x < y), FloatCompare.lt(x, y), "lt " + pair);
                assertEquals(of(x >= y), FloatCompare.ge(x, y), "ge " + pair);
                assertEquals(of(x <= y), FloatCompare.le(x, y), "le " + pair);
                assertEquals(of(x == y), FloatCompare.eq(x, y), "eq " + pair);
                assertEquals(of(x != y), FloatCompare.ne(x, y), "ne " + pair);
            }
        }
    }

    @Test
    void aScanReplacesOnStrictImprovementAndLetsTheFirstNaNWin() {
        for (float v : VALUES) {
            for (float best : VALUES) {
                boolean nanWins = Float.isNaN(v) && !Float.isNaN(best);
                assertEquals((v > best || nanWins) && !Float.isNaN(best) ? 1 : 0, FloatCompare.replaces(v, best, true),
                        "max " + v + " over " + best);
                assertEquals((v < best || nanWins) && !Float.isNaN(best) ? 1 : 0, FloatCompare.replaces(v, best, false),
                        "min " + v + " over " + best);
            }
        }
    }

    @Test
    void rankKeysOrderLikeTheFloatsWithEveryNaNOnTop() {
        for (float x : VALUES) {
            for (float y : VALUES) {
                if (!Float.isNaN(x) && !Float.isNaN(y)) {
                    assertEquals(Float.compare(x + 0f, y + 0f) > 0, FloatCompare.rankKey(x) > FloatCompare.rankKey(y),
                            x + " vs " + y);
                }
            }
            assertEquals(Float.isNaN(x), FloatCompare.rankKey(x) == Integer.MAX_VALUE, "NaN key of " + x);
            assertEquals(false, FloatCompare.rankKey(x) == Integer.MIN_VALUE, "a scan's start is below " + x);
        }
        assertEquals(Integer.MAX_VALUE, FloatCompare.rankKey(Float.intBitsToFloat(0xffc00001)), "negative NaN");
    }
    @Test
    void reluBackwardPassesTheGradientWhereTheOutputIsPositiveOrNaN() {
        float[] outputs = new float[VALUES.length + 2];
        System.arraycopy(VALUES, 0, outputs, 0, VALUES.length);
        outputs[VALUES.length] = Float.intBitsToFloat(0xffc00001);  // a negative NaN
        outputs[VALUES.length + 1] = Float.intBitsToFloat(0x7f800001);  // the smallest positive NaN
        for (float y : outputs) {
            for (float g : VALUES) {
                float expected = y > 0 || Float.isNaN(y) ? g : 0f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(FloatCompare.passIfPositive(g, y)),
                        g + " through output " + y + " (bits " + Integer.toHexString(Float.floatToRawIntBits(y)) + ")");
            }
        }
    }
}
