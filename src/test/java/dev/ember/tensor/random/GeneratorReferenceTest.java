package dev.ember.tensor.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Values PyTorch gives after {@code torch.manual_seed(s)}, checked without PyTorch present. Unless
 * noted, the literals came from libtorch 2.7.1 (CPU, x86-64) through DJL 0.36.0, printed with
 * {@code Float.toString}, so they are exact float32 values. Comparisons are bit for bit.
 */
class GeneratorReferenceTest {

    private static float[] rand(Generator generator, int n) {
        float[] out = new float[n];
        generator.uniform(out, 0, n, 0, 1);
        return out;
    }

    private static float[] randn(Generator generator, int n) {
        float[] out = new float[n];
        generator.normal(out, 0, n, 0, 1);
        return out;
    }

    @Test
    void randMatchesTheDocumentedPyTorchValues() {
        // torch.manual_seed(0); torch.rand(4) prints 0.4963, 0.7682, 0.0885, 0.1320.
        assertArrayEquals(new float[] {0.4962566f, 0.7682218f, 0.08847743f, 0.13203049f}, rand(new Generator(0), 4));
    }

    @Test
    void uniformMapsWithOneFusedMultiplyAdd() {
        float[] out = new float[4];
        new Generator(0).uniform(out, 0, 4, -3.7, 5.3);
        assertArrayEquals(new float[] {0.76630926f, 3.2139962f, -2.9037032f, -2.5117257f}, out);
    }

    @Test
    void randnOfSixteenUsesTheBlockFill() {
        // torch.manual_seed(0); torch.randn(16) begins -1.1258, -1.1524, -0.2506, -0.4339.
        assertArrayEquals(new float[] {
            -1.1258398f, -1.1523602f, -0.25057858f, -0.4338788f, 0.84871036f, 0.69200915f, -0.31601277f, -2.1152194f,
            0.32227492f, -1.2633348f, 0.3499832f, 0.30813393f, 0.11984151f, 1.2376579f, 1.1167772f, -0.24727815f,
        }, randn(new Generator(0), 16));
    }

    @Test
    void randnBelowSixteenUsesScalarBoxMuller() {
        assertArrayEquals(new float[] {1.5409961f, -0.2934289f, -2.1787894f, 0.56843126f}, randn(new Generator(0), 4));
    }

    @Test
    void randnOfSeventeenRecomputesTheLastSixteen() {
        assertArrayEquals(new float[] {
            -1.1258398f, -1.6959312f, 0.5666506f, 0.79350835f, 0.59883946f, -1.5550951f, -0.3413604f, 1.8530061f,
            0.4680964f, -0.58549756f, -0.17339675f, 0.18347794f, 1.3893661f, 1.5863342f, 0.94629836f, -0.84367675f,
            0.9318266f,
        }, randn(new Generator(0), 17));
    }

    @Test
    void randnOfAThousand() {
        float[] values = randn(new Generator(0), 1000);
        assertEquals(-1.1258398f, values[0]);
        assertEquals(-1.1523602f, values[1]);
        assertEquals(-0.16421619f, values[500]);
        assertEquals(0.55482656f, values[983]); // last element of the last whole block
        assertEquals(-0.79619277f, values[984]); // first element of the recomputed tail
        assertEquals(-0.5861721f, values[999]);
        double sum = 0;
        for (float value : values) {
            sum += value;
        }
        assertEquals(28.9183199830004, sum, 0.0);
    }

    @Test
    void normalWithMeanAndStdOnBothPaths() {
        float[] small = new float[5];
        new Generator(1234).normal(small, 0, 5, 2, 3);
        assertArrayEquals(new float[] {2.1383915f, 3.2072084f, -1.0345873f, 2.6502147f, 0.16318066f}, small);

        float[] large = new float[20];
        new Generator(1234).normal(large, 0, 20, 2, 3);
        assertArrayEquals(new float[] {
            1.6648443f, 0.5102297f, 2.489221f, -0.6450633f, 2.8672915f, 3.4696126f, 0.8441762f, -0.13610375f,
            3.910738f, -0.14224029f, -1.2493732f, 0.33582735f, -1.9744358f, 4.0909414f, 0.010838389f, 5.6472707f,
            -5.5820055f, 6.433353f, 1.4911292f, -0.97557205f,
        }, large);
    }

    @Test
    void consecutiveCallsShareTheCachedNormalSample() {
        Generator generator = new Generator(0);
        assertArrayEquals(new float[] {1.5409961f, -0.2934289f, -2.1787894f}, randn(generator, 3));
        // The first value is the sine half cached by the previous call.
        assertArrayEquals(new float[] {0.56843126f, -1.0845224f, -1.3985955f}, randn(generator, 3));
        assertArrayEquals(new float[] {0.022325754f, 0.16885895f}, rand(generator, 2));
        assertArrayEquals(new float[] {-0.7830641f}, randn(generator, 1));
        // The block fill neither reads nor clears the cache ...
        assertArrayEquals(new float[] {
            0.5666506f, 0.79350835f, 0.59883946f, -1.5550951f, -0.3413604f, 1.8530061f, 0.4680964f, -0.15771244f,
            -0.17339675f, 0.18347794f, 1.3893661f, 1.5863342f, 0.94629836f, -0.84367675f, 0.9318266f, 1.2590092f,
        }, randn(generator, 16));
        // ... so this is the sine half of the randn(1) above.
        assertArrayEquals(new float[] {1.062171f}, randn(generator, 1));
    }

    @Test
    void randintWithNarrowAndWideRanges() {
        long[] narrow = new long[8];
        new Generator(0).randint(narrow, 0, 10);
        assertArrayEquals(new long[] {4, 9, 3, 0, 3, 9, 7, 3}, narrow);

        long[] wide = new long[4];
        new Generator(0).randint(wide, -5, 1L << 40);
        assertArrayEquals(new long[] {741234585336L, 506077272957L, 291397093751L, 841111833108L}, wide);

        // 64-bit draws start at a range of 2^28, not 2^32.
        long[] belowSwitch = new long[3];
        new Generator(0).randint(belowSwitch, 0, (1L << 28) - 1);
        assertArrayEquals(new long[] {209652404L, 130329144L, 118924928L}, belowSwitch);
        long[] atSwitch = new long[3];
        new Generator(0).randint(atSwitch, 0, 0xffffffffL);
        assertArrayEquals(new long[] {608416988L, 2402841398L, 1978730047L}, atSwitch);
    }

    @Test
    void randperm() {
        assertArrayEquals(new long[] {4, 1, 7, 5, 3, 9, 0, 8, 6, 2}, new Generator(0).randperm(10));
        assertArrayEquals(new long[] {2, 14, 18, 15, 1, 10, 0, 4, 6, 11, 8, 3, 7, 17, 13, 12, 19, 5, 16, 9},
                new Generator(42).randperm(20));
    }

    @Test
    void bernoulliGivesTheDropoutMask() {
        // torch.manual_seed(0); F.dropout(torch.ones(16), 0.5) is 2.0 where this mask is 1.
        float[] mask = new float[16];
        new Generator(0).bernoulli(mask, 0, 16, 0.5);
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1}, mask);
    }

    @Test
    void onlyTheLow32BitsOfTheSeedReachTheEngine() {
        assertArrayEquals(new float[] {0.8302519f, 0.12611091f, 0.9074697f}, rand(new Generator(5), 3));
        assertArrayEquals(new float[] {0.8302519f, 0.12611091f, 0.9074697f}, rand(new Generator((1L << 32) + 5), 3));
        assertArrayEquals(new float[] {0.9937994f, 0.57130635f, 0.57000804f}, rand(new Generator(-1), 3));
    }

    @Test
    void mt19937MatchesTheReferenceImplementation() {
        // Not from PyTorch: the 10000th output of std::mt19937 with its default seed 5489, which the
        // C++ standard fixes ([rand.predef]); at::mt19937 must agree.
        Generator generator = new Generator(5489);
        for (int i = 1; i < 10000; i++) {
            generator.random();
        }
        assertEquals(4123659995L, generator.random());
    }

    @Test
    void random64PutsTheFirstDrawInTheHighHalf() {
        Generator words = new Generator(7);
        long high = words.random();
        long low = words.random();
        assertEquals((high << 32) | low, new Generator(7).random64());
    }
}
