package dev.ember.report;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ValidationSamplesTest {

    /** Ten 1x1 images whose pixel is their index; example i is wrong when i is odd, with confidence 0.5 + i/40. */
    private static ValidationSamples select(int k) {
        float[] px = new float[10];
        long[] labels = new long[10];
        float[] probs = new float[20];
        for (int i = 0; i < 10; i++) {
            px[i] = i;
            float top = 0.5f + i / 40f;
            boolean wrong = i % 2 == 1;
            probs[2 * i] = wrong ? 1 - top : top;
            probs[2 * i + 1] = wrong ? top : 1 - top;
        }
        return ValidationSamples.select(Tensor.wrap(px, 10, 1, 1, 1), Tensor.wrap(labels, 10),
                Tensor.wrap(probs, 10, 2), k);
    }

    @Test
    void selectionKeepsTheMostConfidentlyWrongForHalfAndFillsInDatasetOrder() {
        ValidationSamples s = select(6);
        // Wrong: 1, 3, 5, 7, 9 (confidence rising with the index): the three surest are 9, 7, 5. Then 0, 1, 2.
        assertArrayEquals(new float[] {0, 1, 2, 5, 7, 9}, s.images());
        assertEquals(List.of(5, 4, 3, 1), s.confidentlyWrong(), "positions of 9, 7, 5, 1 in the selection");
        assertEquals(1, s.predicted(5));
        assertEquals(0.5 + 9 / 40.0, s.confidence(5), 1e-6);
    }

    @Test
    void askingForMoreThanThereAreKeepsThemAll() {
        assertEquals(10, select(64).count());
    }

    @Test
    void rankingPutsTheMostProbableClassFirst() {
        ValidationSamples s = new ValidationSamples(new float[1], 1, 1, 1, new long[] {2},
                new float[] {0.1f, 0.2f, 0.6f, 0.1f}, 4);
        assertArrayEquals(new int[] {2, 1, 0, 3}, s.ranking(0));
    }
}
