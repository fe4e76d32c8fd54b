package dev.ember;

import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Deterministic test inputs (own generators, so tests do not depend on each other) and comparisons. */
public final class TestTensors {
    private TestTensors() {
    }

    /** Standard normal values from {@code new Generator(seed)}. */
    public static Tensor randn(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[t.numel()];
        new Generator(seed).normal(v, 0, v.length, 0, 1);
        return Tensor.wrap(v, shape);
    }

    /** Uniform values in [lo, hi). */
    public static Tensor uniform(long seed, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[t.numel()];
        new Generator(seed).uniform(v, 0, v.length, lo, hi);
        return Tensor.wrap(v, shape);
    }

    /** Uniform magnitudes in [0.2, 1.5) with random signs: safely away from 0 (kinks of relu, abs, sign). */
    public static Tensor awayFromZero(long seed, int... shape) {
        Tensor mag = uniform(seed, 0.2, 1.5, shape);
        Tensor sign = uniform(seed + 1, -1, 1, shape);
        float[] m = mag.toFloatArray();
        float[] s = sign.toFloatArray();
        for (int i = 0; i < m.length; i++) {
            m[i] = s[i] < 0 ? -m[i] : m[i];
        }
        return Tensor.wrap(m, shape);
    }

    /** Distinct values in random order, spaced 0.1 apart (no ties for max/min/sort). */
    public static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.numel();
        long[] perm = new Generator(seed).randperm(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 * perm[i] - 0.05 * n);
        }
        return Tensor.wrap(v, shape);
    }

    public static void assertShape(Tensor t, int... expected) {
        assertArrayEquals(expected, t.shape().toArray(), () -> "shape of " + t);
    }

    public static void assertValues(Tensor t, float[] expected, float tolerance) {
        assertArrayEquals(expected, t.toFloatArray(), tolerance, () -> "values of " + t);
    }

    public static void assertValues(Tensor t, float... expected) {
        assertArrayEquals(expected, t.toFloatArray(), () -> "values of " + t);
    }

    public static void assertLongs(Tensor t, long... expected) {
        assertArrayEquals(expected, t.toLongArray(), () -> "values of " + t);
    }

    public static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, 1e-5 + 1e-5 * Math.abs(expected));
    }
}
