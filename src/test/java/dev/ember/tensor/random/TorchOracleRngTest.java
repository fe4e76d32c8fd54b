package dev.ember.tensor.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link Generator} with live libtorch (the test classpath's DJL PyTorch engine) across
 * sizes, seeds and parameters, bit for bit. After each op both sides draw one more uniform, so a
 * difference in the number of draws consumed fails too. Skipped when libtorch cannot be loaded.
 */
class TorchOracleRngTest {
    private static final long[] SEEDS = {0, 1, 42, 2147483655L, -3, Generator.DEFAULT_SEED};

    private static TorchOracle torch;

    /** Per test rather than per class, so that each test reports the skip and its reason. */
    @BeforeEach
    void requireOracle() {
        if (torch == null) {
            torch = TorchOracle.openOrSkip();
        }
    }

    @AfterAll
    static void closeOracle() {
        if (torch != null) {
            torch.close();
        }
    }

    private static void assertSameNextDraw(Generator ember, String context) {
        float[] next = new float[1];
        ember.uniform(next, 0, 1, 0, 1);
        assertArrayEquals(torch.uniform(1, 0, 1), next, "draws consumed differ after " + context);
    }

    @Test
    void randnAcrossSizesAndSeeds() {
        int[] sizes = {1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1000, 1023, 4097, 65541};
        for (long seed : SEEDS) {
            torch.manualSeed(seed);
            Generator ember = new Generator(seed);
            for (int n : sizes) {
                float[] mine = new float[n];
                ember.normal(mine, 0, n, 0, 1);
                String context = "randn(" + n + ") seed " + seed;
                assertArrayEquals(torch.normal(n, 0, 1), mine, context);
                assertSameNextDraw(ember, context);
            }
        }
    }

    @Test
    void normalWithMeanAndStd() {
        double[][] meanStd = {{2, 3}, {-1.5, 0.25}, {0, 0}, {1e3, 1e-2}, {0.1, 7.3}};
        int[] sizes = {5, 16, 50};
        torch.manualSeed(7);
        Generator ember = new Generator(7);
        for (double[] ms : meanStd) {
            for (int n : sizes) {
                float[] mine = new float[n];
                ember.normal(mine, 0, n, ms[0], ms[1]);
                String context = "normal(" + ms[0] + ", " + ms[1] + ", " + n + ")";
                assertArrayEquals(torch.normal(n, ms[0], ms[1]), mine, context);
                assertSameNextDraw(ember, context);
            }
        }
    }

    @Test
    void uniformAcrossRanges() {
        double[][] ranges = {{0, 1}, {-3.7, 5.3}, {-1e-3, 1e-3}, {5, 5}, {-1e30, 1e30}, {0.1, 0.7}};
        int[] sizes = {1, 10, 1000};
        for (long seed : SEEDS) {
            torch.manualSeed(seed);
            Generator ember = new Generator(seed);
            for (double[] range : ranges) {
                for (int n : sizes) {
                    float[] mine = new float[n];
                    ember.uniform(mine, 0, n, range[0], range[1]);
                    assertArrayEquals(torch.uniform(n, range[0], range[1]), mine,
                            "uniform(" + range[0] + ", " + range[1] + ", " + n + ") seed " + seed);
                }
            }
        }
    }

    @Test
    void randintAcrossRanges() {
        long[][] ranges = {
            {0, 10}, {-5, 5}, {0, (1L << 28) - 1}, {0, 1L << 28}, {-(1L << 27), 1L << 27}, {0, 0xffffffffL}, {0, 1L << 32}, {-(1L << 40), 1L << 40},
            {Long.MIN_VALUE / 2, Long.MAX_VALUE / 2}, {1000, 1001},
        };
        for (long seed : SEEDS) {
            torch.manualSeed(seed);
            Generator ember = new Generator(seed);
            for (long[] range : ranges) {
                long[] mine = new long[100];
                ember.randint(mine, range[0], range[1]);
                String context = "randint(" + range[0] + ", " + range[1] + ") seed " + seed;
                assertArrayEquals(torch.randint(100, range[0], range[1]), mine, context);
                assertSameNextDraw(ember, context);
            }
        }
    }

    @Test
    void randpermAcrossSizes() {
        int[] sizes = {0, 1, 2, 3, 10, 1000, 100_000};
        for (long seed : SEEDS) {
            torch.manualSeed(seed);
            Generator ember = new Generator(seed);
            for (int n : sizes) {
                String context = "randperm(" + n + ") seed " + seed;
                assertArrayEquals(torch.randperm(n), ember.randperm(n), context);
                assertSameNextDraw(ember, context);
            }
        }
    }

    @Test
    void bernoulliIsTheDropoutMask() {
        double[] dropProbabilities = {0.1, 0.5, 0.9, 0.3333};
        int[] sizes = {1, 16, 1000, 20_000};
        for (long seed : SEEDS) {
            torch.manualSeed(seed);
            Generator ember = new Generator(seed);
            for (double q : dropProbabilities) {
                for (int n : sizes) {
                    float[] mine = new float[n];
                    ember.bernoulli(mine, 0, n, 1 - q);
                    String context = "dropout(" + q + ") of " + n + " seed " + seed;
                    assertArrayEquals(torch.dropoutKeepMask(n, q), mine, context);
                    assertSameNextDraw(ember, context);
                }
            }
        }
    }

    @Test
    void mixedSequenceOnOneGenerator() {
        torch.manualSeed(2024);
        Generator ember = new Generator(2024);
        for (int round = 0; round < 20; round++) {
            int n = 1 + round * 7 % 23;
            float[] normal = new float[n];
            ember.normal(normal, 0, n, 0.5, 2);
            assertArrayEquals(torch.normal(n, 0.5, 2), normal, "round " + round + " normal");
            long[] ints = new long[n];
            ember.randint(ints, -7, 9);
            assertArrayEquals(torch.randint(n, -7, 9), ints, "round " + round + " randint");
            float[] mask = new float[n];
            ember.bernoulli(mask, 0, n, 0.75);
            assertArrayEquals(torch.dropoutKeepMask(n, 0.25), mask, "round " + round + " dropout");
            assertArrayEquals(torch.randperm(n), ember.randperm(n), "round " + round + " randperm");
            float[] uniform = new float[n];
            ember.uniform(uniform, 0, n, -1, 1);
            assertArrayEquals(torch.uniform(n, -1, 1), uniform, "round " + round + " uniform");
        }
    }
}
