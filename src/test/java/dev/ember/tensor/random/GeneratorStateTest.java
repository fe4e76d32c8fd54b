package dev.ember.tensor.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Seeding, the default generator and the {@code torch.get_rng_state()} byte layout. */
class GeneratorStateTest {

    private static ByteBuffer littleEndian(byte[] state) {
        return ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] randn(Generator generator, int n) {
        float[] out = new float[n];
        generator.normal(out, 0, n, 0, 1);
        return out;
    }

    @Test
    void freshStateHasPyTorchsLayout() {
        long seed = 0x1234_5678_9abc_def0L;
        ByteBuffer state = littleEndian(new Generator(seed).getState());
        assertEquals(5056, state.capacity());
        assertEquals(seed, state.getLong(0));
        assertEquals(1, state.getInt(8), "left");
        assertEquals(1, state.getInt(12), "seeded");
        assertEquals(0, state.getLong(16), "next");
        long word0 = seed & 0xffffffffL;
        assertEquals(word0, state.getLong(24));
        long word1 = (1812433253L * (word0 ^ (word0 >>> 30)) + 1) & 0xffffffffL;
        assertEquals(word1, state.getLong(32));
        assertEquals(0, state.getInt(5040), "no cached normal");
        assertEquals(0, state.get(5052), "no cached float normal");
    }

    @Test
    void stateRecordsPositionAndCachedNormal() {
        Generator generator = new Generator(3);
        randn(generator, 1); // two 64-bit draws, one cached sample
        ByteBuffer state = littleEndian(generator.getState());
        // The first draw regenerates the block (left becomes 624) and then reads word 0.
        assertEquals(624 - 3, state.getInt(8), "left");
        assertEquals(4, state.getLong(16), "next");
        assertEquals(1, state.getInt(5040));
        float cached = randn(generator, 1)[0];
        assertEquals(cached, (float) state.getDouble(5024));
    }

    @Test
    void setStateResumesTheSequenceIncludingTheCachedNormal() {
        Generator original = new Generator(11);
        randn(original, 3);
        original.random();
        byte[] saved = original.getState();

        Generator restored = new Generator(99);
        restored.setState(saved);
        assertEquals(11, restored.initialSeed());
        assertArrayEquals(randn(original, 5), randn(restored, 5));
        assertArrayEquals(randn(original, 40), randn(restored, 40));
        assertEquals(original.random64(), restored.random64());
        assertArrayEquals(original.getState(), restored.getState());
    }

    @Test
    void setStateRejectsMalformedStates() {
        Generator generator = new Generator();
        assertThrows(IllegalArgumentException.class, () -> generator.setState(new byte[5055]));
        byte[] zeroLeft = generator.getState();
        littleEndian(zeroLeft).putInt(8, 0);
        assertThrows(IllegalArgumentException.class, () -> generator.setState(zeroLeft));
        byte[] nextTooFar = generator.getState();
        littleEndian(nextTooFar).putLong(16, 625);
        assertThrows(IllegalArgumentException.class, () -> generator.setState(nextTooFar));
        byte[] unseeded = generator.getState();
        littleEndian(unseeded).putInt(12, 0);
        assertThrows(IllegalArgumentException.class, () -> generator.setState(unseeded));
    }

    @Test
    void setSeedRestartsTheSequenceAndDropsTheCachedNormal() {
        Generator generator = new Generator(0);
        randn(generator, 1);
        generator.setSeed(0);
        assertArrayEquals(new float[] {1.5409961f, -0.2934289f, -2.1787894f, 0.56843126f}, randn(generator, 4));
    }

    @Test
    void defaultSeedIsTorchGeneratorsDefault() {
        assertEquals(67280421310721L, new Generator().initialSeed());
        assertEquals(new Generator(67280421310721L).random64(), new Generator().random64());
    }

    @Test
    void staticManualSeedReseedsTheGlobalGenerator() {
        Generator.manualSeed(0);
        assertEquals(0, Generator.global().initialSeed());
        float[] out = new float[4];
        Generator.global().uniform(out, 0, 4, 0, 1);
        assertArrayEquals(new float[] {0.4962566f, 0.7682218f, 0.08847743f, 0.13203049f}, out);
    }
}
