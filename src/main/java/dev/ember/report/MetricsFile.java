package dev.ember.report;

import dev.ember.io.Json;
import dev.ember.train.EpochMetrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code metrics.jsonl}: one {@link EpochMetrics} object per line (docs/run-directory.md). */
public final class MetricsFile {
    private MetricsFile() {
    }

    /**
     * Appends one epoch as a line. The line goes out in a single write so that a reader polling the
     * file mid-run sees whole lines only.
     */
    public static void append(Path file, EpochMetrics epoch) {
        byte[] line = (Json.write(epoch.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every epoch in the file, in order; fails naming the line that breaks the contract. */
    public static List<EpochMetrics> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RunFileException(file, "no such file (the trainer appends a line to it after each epoch)");
        } catch (IOException e) {
            throw new RunFileException(file, "cannot read: " + e.getMessage(), e);
        }
        List<EpochMetrics> epochs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            EpochMetrics m;
            try {
                m = parse(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new RunFileException(file, i + 1, e.getMessage());
            }
            if (!epochs.isEmpty() && m.epoch() <= epochs.get(epochs.size() - 1).epoch()) {
                throw new RunFileException(file, i + 1, "epoch " + m.epoch() + " does not follow epoch "
                        + epochs.get(epochs.size() - 1).epoch() + " (epochs must increase)");
            }
            epochs.add(m);
        }
        if (epochs.isEmpty()) {
            throw new RunFileException(file, "no epochs recorded yet");
        }
        return epochs;
    }

    private static EpochMetrics parse(String line) {
        Map<String, Object> o = Json.parseObject(line);
        long epoch = JsonFields.integer(o, "epoch");
        if (epoch < 1 || epoch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epoch must be a positive integer, got " + epoch);
        }
        double accuracy = JsonFields.number(o, "val_accuracy");
        if (accuracy < 0 || accuracy > 1) {
            throw new IllegalArgumentException("val_accuracy must lie in [0, 1], got " + accuracy);
        }
        return new EpochMetrics((int) epoch, JsonFields.number(o, "train_loss"), JsonFields.number(o, "val_loss"),
                accuracy, JsonFields.number(o, "images_per_sec"), JsonFields.number(o, "seconds"),
                JsonFields.number(o, "lr"));
    }
}
