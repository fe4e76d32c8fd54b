package dev.ember.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded, stratified train/validation split for datasets that come without one: every class
 * contributes the same fraction of its images to validation (up to rounding), and the same seed
 * always gives the same split.
 *
 * <p>Class {@code c} with {@code n_c} images gives {@code floor(f * n_c)} images to validation, and the
 * {@code round(f * n) - sum floor(f * n_c)} classes with the largest remainders give one more
 * (ties to the lower class index), so the validation size is exactly {@code round(f * n)}. Within a
 * class, which images go where is a seeded random choice.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {}

    /**
     * Indices of the training and validation images, each in a seeded random order (so that
     * writing them in that order mixes the classes in every file and row group).
     *
     * @param train {@code n - validation.length} indices into the labelled dataset
     * @param validation the held-out indices
     */
    public record Split(int[] train, int[] validation) {}

    /**
     * Splits {@code labels.length} images.
     *
     * @param labels      class index of each image, non-negative
     * @param valFraction fraction of each class held out, in {@code [0, 1)}
     * @param seed        seeds both the choice within each class and the order of the result
     */
    public static Split split(int[] labels, double valFraction, long seed) {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
        }
        int numClasses = 0;
        for (int label : labels) {
            if (label < 0) {
                throw new IllegalArgumentException("labels must be non-negative, got " + label);
            }
            numClasses = Math.max(numClasses, label + 1);
        }
        int[][] members = membersByClass(labels, numClasses);
        int[] valCounts = validationCounts(members, valFraction, labels.length);

        SplittableRandom random = new SplittableRandom(seed);
        int valSize = Arrays.stream(valCounts).sum();
        int[] train = new int[labels.length - valSize];
        int[] validation = new int[valSize];
        int t = 0;
        int v = 0;
        for (int c = 0; c < numClasses; c++) {
            int[] shuffled = members[c].clone();
            shuffle(shuffled, random);
            for (int i = 0; i < shuffled.length; i++) {
                if (i < valCounts[c]) {
                    validation[v++] = shuffled[i];
                } else {
                    train[t++] = shuffled[i];
                }
            }
        }
        shuffle(train, random);
        shuffle(validation, random);
        return new Split(train, validation);
    }

    private static int[][] membersByClass(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        int[][] members = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            members[c] = new int[counts[c]];
        }
        int[] filled = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][filled[labels[i]]++] = i;
        }
        return members;
    }

    // Largest-remainder apportionment of round(f * n) validation images over the classes.
    private static int[] validationCounts(int[][] members, double valFraction, int n) {
        int numClasses = members.length;
        int[] counts = new int[numClasses];
        double[] remainders = new double[numClasses];
        int assigned = 0;
        for (int c = 0; c < numClasses; c++) {
            double exact = valFraction * members[c].length;
            counts[c] = (int) Math.floor(exact);
            remainders[c] = exact - counts[c];
            assigned += counts[c];
        }
        int target = (int) Math.round(valFraction * n);
        Integer[] byRemainder = new Integer[numClasses];
        for (int c = 0; c < numClasses; c++) {
            byRemainder[c] = c;
        }
        Arrays.sort(byRemainder, (a, b) -> Double.compare(remainders[b], remainders[a]));
        for (int k = 0; k < numClasses && assigned < target; k++) {
            int c = byRemainder[k];
            if (counts[c] < members[c].length) {
                counts[c]++;
                assigned++;
            }
        }
        return counts;
    }

    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }
}
