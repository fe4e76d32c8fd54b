package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Element-wise closeness with an absolute and a relative tolerance; NaN matches NaN, infinities match exactly. */
public final class Approx {
    private Approx() {
    }

    public static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(e, actual, atol, rtol, what);
    }

    public static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? e == a
                    : Math.abs(e - a) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (atol " + atol + ", rtol " + rtol
                        + ")\n  expected " + abbreviate(Arrays.toString(expected)) + "\n  actual   "
                        + abbreviate(Arrays.toString(actual)));
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
