package dev.ember.tensor.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Argument checks, offsets, draw accounting and locking. */
class GeneratorBehaviourTest {

    @Test
    void insideOutShuffleUsesOne64BitDrawPerElement() {
        // The large-n randperm path (n >= 214748364); the full-size case was checked once against
        // libtorch 2.7.1: seed 3 gives 50815193, 116864026, 18612126, ..., 138283752.
        Generator draws = new Generator(8);
        long[] expected = new long[6];
        for (int i = 0; i < expected.length; i++) {
            int z = (int) Long.remainderUnsigned(draws.random64(), i + 1L);
            expected[i] = expected[z];
            expected[z] = i;
        }
        long[] shuffled = new long[6];
        new Generator(8).insideOutShuffle(shuffled);
        assertArrayEquals(expected, shuffled);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, Arrays.stream(shuffled).sorted().toArray());
    }

    @Test
    void fillsOnlyTheRequestedSlice() {
        float[] out = new float[20];
        Arrays.fill(out, Float.NaN);
        new Generator(0).normal(out, 2, 16, 0, 1);
        float[] direct = new float[16];
        new Generator(0).normal(direct, 0, 16, 0, 1);
        assertArrayEquals(direct, Arrays.copyOfRange(out, 2, 18));
        assertEquals(Float.NaN, out[1]);
        assertEquals(Float.NaN, out[18]);
    }

    @Test
    void emptyRequestsDrawNothing() {
        Generator generator = new Generator(4);
        generator.uniform(new float[0], 0, 0, 0, 1);
        generator.normal(new float[0], 0, 0, 0, 1);
        generator.bernoulli(new float[0], 0, 0, 0.5);
        generator.randint(new long[0], 0, 3);
        generator.randperm(1);
        assertEquals(new Generator(4).random(), generator.random());
    }

    @Test
    void rejectsArgumentsPyTorchRejects() {
        Generator generator = new Generator();
        float[] out = new float[4];
        assertThrows(IllegalArgumentException.class, () -> generator.uniform(out, 0, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> generator.uniform(out, 0, 4, 0, 1e39));
        assertThrows(IllegalArgumentException.class, () -> generator.uniform(out, 0, 4, -3e38, 3e38));
        assertThrows(IllegalArgumentException.class, () -> generator.normal(out, 0, 4, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> generator.bernoulli(out, 0, 4, 1.5));
        assertThrows(IllegalArgumentException.class, () -> generator.randint(new long[2], 3, 3));
        assertThrows(IllegalArgumentException.class, () -> generator.randperm(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> generator.uniform(out, 1, 4, 0, 1));
    }

    @Test
    void concurrentCallersShareOneSequenceWithoutLosingDraws() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        Generator shared = new Generator(21);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    long[] mine = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        mine[i] = shared.random64();
                    }
                    return mine;
                }));
            }
            List<Long> drawn = new ArrayList<>();
            for (Future<long[]> result : results) {
                for (long value : result.get()) {
                    drawn.add(value);
                }
            }
            Generator sequential = new Generator(21);
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < threads * perThread; i++) {
                expected.add(sequential.random64());
            }
            drawn.sort(null);
            expected.sort(null);
            assertEquals(expected, drawn);
        } finally {
            pool.shutdownNow();
        }
    }
}
