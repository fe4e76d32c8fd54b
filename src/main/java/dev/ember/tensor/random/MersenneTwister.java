package dev.ember.tensor.random;

/**
 * The 32-bit Mersenne Twister exactly as PyTorch's {@code at::mt19937} implements it.
 *
 * <p>The bookkeeping ({@code left}, {@code next}) follows PyTorch's engine rather than the textbook
 * one, because it is part of the state that {@code torch.get_rng_state()} exposes and that
 * {@link RngStateCodec} must reproduce byte for byte: a fresh engine has {@code left == 1}, so the
 * first draw regenerates the whole block before reading word 0.
 */
final class MersenneTwister {
    static final int STATE_WORDS = 624;
    private static final int SHIFT_WORDS = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    final int[] state = new int[STATE_WORDS];
    long seed;
    /** Draws left before the block is regenerated, in (0, 624]. */
    int left;
    /** Index of the next state word to temper, in [0, 624]. */
    int next;

    MersenneTwister(long seed) {
        reseed(seed);
    }

    /** Knuth's initialisation from the low 32 bits; PyTorch keeps the full 64-bit seed only for reporting. */
    void reseed(long newSeed) {
        seed = newSeed;
        state[0] = (int) newSeed;
        for (int j = 1; j < STATE_WORDS; j++) {
            int previous = state[j - 1];
            state[j] = 1812433253 * (previous ^ (previous >>> 30)) + j;
        }
        left = 1;
        next = 0;
    }

    /** The next 32 tempered bits, as an unsigned value held in an {@code int}. */
    int nextInt() {
        if (--left == 0) {
            regenerate();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void regenerate() {
        left = STATE_WORDS;
        next = 0;
        int j = 0;
        for (; j < STATE_WORDS - SHIFT_WORDS; j++) {
            state[j] = state[j + SHIFT_WORDS] ^ twist(state[j], state[j + 1]);
        }
        for (; j < STATE_WORDS - 1; j++) {
            state[j] = state[j + SHIFT_WORDS - STATE_WORDS] ^ twist(state[j], state[j + 1]);
        }
        state[j] = state[SHIFT_WORDS - 1] ^ twist(state[j], state[0]);
    }

    private static int twist(int u, int v) {
        int mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
        return (mixed >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
    }
}
