package dev.ember.data.importers;

import dev.ember.data.AtomicDirectory;
import dev.ember.data.DatasetInfo;
import dev.ember.data.ImageRecord;
import dev.ember.data.ParquetImageWriter;
import dev.ember.data.StratifiedSplit;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Where and how an importer writes: one dataset at {@code directory}, or, with a validation
 * fraction, a seeded stratified split into {@code directory/train} and {@code directory/val}.
 * Either way the destination appears only when the whole import succeeded.
 *
 * @param directory   the destination, which must not exist unless {@code overwrite}
 * @param overwrite   replace an existing destination
 * @param valFraction fraction of each class held out for validation, in [0, 1); 0 writes one dataset
 * @param seed        seeds the split and the row order
 */
public record ImportTarget(Path directory, boolean overwrite, double valFraction, long seed) {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "val";

    public ImportTarget {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
        }
    }

    /** One dataset at {@code directory}, no overwrite, seed 0. */
    public static ImportTarget of(Path directory) {
        return new ImportTarget(directory, false, 0, 0);
    }

    public ImportTarget overwriting(boolean replace) {
        return new ImportTarget(directory, replace, valFraction, seed);
    }

    /** Split into {@code train} and {@code val} with {@code fraction} of each class in {@code val}. */
    public ImportTarget withValidationSplit(double fraction, long splitSeed) {
        return new ImportTarget(directory, overwrite, fraction, splitSeed);
    }

    /** Fails now if the destination exists and may not be replaced (importers call this before reading their input). */
    void checkDestination() {
        AtomicDirectory.checkDestination(directory, overwrite);
    }

    /**
     * Writes the records.
     *
     * @param labels   the label of every record, by index
     * @param recordAt makes record {@code i}; called once per record, in write order
     * @param shuffle  write in a seeded random order (mixes classes within every file and row group,
     *                 which matters when Spark gives each worker a few files); otherwise index order
     * @return what was written, one entry per dataset directory
     */
    List<DatasetInfo> write(int[] labels, IntFunction<ImageRecord> recordAt, List<String> classNames, boolean shuffle) {
        if (valFraction == 0) {
            writeOne(directory, overwrite, shuffle ? permutation(labels.length) : identity(labels.length), recordAt, classNames);
            return List.of(DatasetInfo.read(directory));
        }
        StratifiedSplit.Split split = StratifiedSplit.split(labels, valFraction, seed);
        // Both splits appear together or not at all: they are staged inside one atomic directory.
        try (AtomicDirectory out = AtomicDirectory.create(directory, overwrite)) {
            writeOne(out.staging().resolve(TRAIN), false, split.train(), recordAt, classNames);
            writeOne(out.staging().resolve(VALIDATION), false, split.validation(), recordAt, classNames);
            out.commit();
        }
        return List.of(DatasetInfo.read(directory.resolve(TRAIN)), DatasetInfo.read(directory.resolve(VALIDATION)));
    }

    private static void writeOne(Path dir, boolean replace, int[] order, IntFunction<ImageRecord> recordAt,
                                 List<String> classNames) {
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, classNames).overwrite(replace).build()) {
            for (int index : order) {
                writer.write(recordAt.apply(index));
            }
            writer.commit();
        }
    }

    private int[] permutation(int n) {
        int[] order = identity(n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
