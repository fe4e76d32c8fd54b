package dev.ember.backend.cpu;

/**
 * Float comparisons without branches, giving 1 or 0 with IEEE semantics (any comparison with NaN is
 * false except !=, and -0.0 equals +0.0). On real data (signs of activations, gradients) a branch
 * per element mispredicts about half the time, which made {@code x > y ? 1f : 0f} loops ten times
 * slower than arithmetic ones.
 */
final class FloatCompare {
    private FloatCompare() {
    }

    /**
     * An int that orders like the float of bits {@code b} (for non-NaN values), with -0.0 equal to +0.0:
     * negatives have their magnitude bits flipped, then move up by one, so -0.0's -1 lands on +0.0's 0.
     */
    static int key(int b) {
        int k = b ^ (b >> 31 & 0x7fffffff);
        return k + (k >>> 31);
    }

    private static int key(float f) {
        return key(Float.floatToRawIntBits(f));
    }

    /** Negative exactly when {@code b} are a NaN's bits: |b| above +inf's. */
    static int negativeIfNaN(int b) {
        return 0x7f800000 - (b & 0x7fffffff);
    }

    /** 1 unless f is NaN. */
    private static int ordered(float f) {
        return (negativeIfNaN(Float.floatToRawIntBits(f)) >>> 31) ^ 1;
    }

    /** 1 if a < b (ints, no overflow). */
    static int less(int a, int b) {
        return (int) (((long) a - b) >>> 63);
    }

    /** 1 if a == b. */
    private static int same(int a, int b) {
        int d = a ^ b;
        return (int) (((long) d - 1) >>> 63) & ((d >>> 31) ^ 1);
    }

    /**
     * 1 if {@code v} should replace the running extreme {@code best} of a max (or, with {@code max} false,
     * min) scan: strictly better, or NaN while best is not NaN yet (NaN wins, as in PyTorch).
     */
    static int replaces(float v, float best, boolean max) {
        int better = max ? less(key(best), key(v)) & ordered(v) : less(key(v), key(best)) & ordered(v);
        return (better | (ordered(v) ^ 1)) & ordered(best);
    }

    /**
     * An int that orders like the float for a max scan: -0.0 folded onto +0.0, and every NaN above
     * +inf at {@code Integer.MAX_VALUE}; -inf's key is above {@code Integer.MIN_VALUE}.
     */
    static int rankKey(float f) {
        int nan = ordered(f) - 1;  // all ones for NaN
        return key(f) & ~nan | Integer.MAX_VALUE & nan;
    }

    /**
     * {@code x} where {@code y > 0} or y is NaN, else +0: ReLU's backward mask, as PyTorch's threshold_backward.
     * With y's bits b the mask's sign is set when b > 0 ({@code -b & ~b}: positive numbers and positive
     * NaNs) or |b| is above +inf's bits (any NaN); int ops only, so loops of it vectorise (3x faster than
     * the long comparisons of {@link #gt}).
     */
    static float passIfPositive(float x, float y) {
        int b = Float.floatToRawIntBits(y);
        int mask = ((-b & ~b) | negativeIfNaN(b)) >> 31;
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) & mask);
    }

    static float gt(float x, float y) {
        return less(key(y), key(x)) & ordered(x) & ordered(y);
    }

    static float lt(float x, float y) {
        return less(key(x), key(y)) & ordered(x) & ordered(y);
    }

    static float ge(float x, float y) {
        return (less(key(x), key(y)) ^ 1) & ordered(x) & ordered(y);
    }

    static float le(float x, float y) {
        return (less(key(y), key(x)) ^ 1) & ordered(x) & ordered(y);
    }

    static float eq(float x, float y) {
        return same(key(x), key(y)) & ordered(x) & ordered(y);
    }

    static float ne(float x, float y) {
        return (same(key(x), key(y)) & ordered(x) & ordered(y)) ^ 1;
    }
}
