package dev.ember.tensor.random;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads and writes PyTorch's CPU generator state ({@code CPUGeneratorImplState}, as returned by
 * {@code torch.get_rng_state()} on x86-64 Linux), little-endian, 5056 bytes:
 *
 * <pre>
 * offset  size      field
 *      0  8         initial seed (uint64)
 *      8  4         left: draws until the block is regenerated, 1..624 (int32)
 *     12  4         seeded: always 1 (int32)
 *     16  8         next: index of the next state word, 0..624 (uint64)
 *     24  624 x 8   Mersenne Twister state words, each zero-extended to uint64
 *   5016  8         normal_x: unused, 0 (double)
 *   5024  8         normal_y: the cached double normal sample (double)
 *   5032  8         normal_rho: unused, 0 (double)
 *   5040  4         normal_is_valid: 1 when normal_y holds a cached sample (int32)
 *   5044  4         padding, 0
 *   5048  4         cached float normal sample (float)
 *   5052  1         float sample valid (bool), then 3 bytes of padding, 0
 * </pre>
 *
 * PyTorch's CPU kernels never fill the float cache, so it is written as empty and ignored on read.
 */
final class RngStateCodec {
    static final int STATE_BYTES = 5056;
    private static final int WORDS_OFFSET = 24;
    private static final int NORMAL_Y_OFFSET = 5024;
    private static final int NORMAL_VALID_OFFSET = 5040;

    private RngStateCodec() {}

    /** @param cachedNormal the cached double normal sample, or NaN for none */
    static byte[] encode(MersenneTwister engine, double cachedNormal) {
        ByteBuffer buffer = ByteBuffer.allocate(STATE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(0, engine.seed);
        buffer.putInt(8, engine.left);
        buffer.putInt(12, 1);
        buffer.putLong(16, engine.next);
        for (int i = 0; i < MersenneTwister.STATE_WORDS; i++) {
            buffer.putLong(WORDS_OFFSET + 8 * i, Integer.toUnsignedLong(engine.state[i]));
        }
        if (!Double.isNaN(cachedNormal)) {
            buffer.putDouble(NORMAL_Y_OFFSET, cachedNormal);
            buffer.putInt(NORMAL_VALID_OFFSET, 1);
        }
        return buffer.array();
    }

    /**
     * Loads {@code bytes} into {@code engine}, after checking it as PyTorch's {@code set_state}
     * does, and returns the cached double normal sample, or NaN for none.
     */
    static double decode(byte[] bytes, MersenneTwister engine) {
        if (bytes.length != STATE_BYTES) {
            throw new IllegalArgumentException(
                    "Expected a CPU generator state of " + STATE_BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int left = buffer.getInt(8);
        boolean seeded = buffer.getInt(12) != 0;
        long next = buffer.getLong(16);
        if (!seeded || left <= 0 || left > MersenneTwister.STATE_WORDS
                || Long.compareUnsigned(next, MersenneTwister.STATE_WORDS) > 0) {
            throw new IllegalArgumentException("Invalid mt19937 state");
        }
        engine.seed = buffer.getLong(0);
        engine.left = left;
        engine.next = (int) next;
        for (int i = 0; i < MersenneTwister.STATE_WORDS; i++) {
            // PyTorch copies the uint64 words into uint32 ones, keeping the low half.
            engine.state[i] = (int) buffer.getLong(WORDS_OFFSET + 8 * i);
        }
        return buffer.getInt(NORMAL_VALID_OFFSET) != 0 ? buffer.getDouble(NORMAL_Y_OFFSET) : Double.NaN;
    }
}
