package dev.ember.job;

import dev.ember.io.AtomicFiles;
import dev.ember.io.Json;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Module;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's output directory (docs/run-directory.md): {@code job.json}, {@code metrics.jsonl} (one line
 * per epoch, appended as epochs finish), {@code model.safetensors} (final weights with PyTorch's
 * names), {@code evaluation.json} (final validation with confusion matrix) and {@code checkpoints/}.
 */
public final class RunDirectory {
    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** The job's {@code out} directory, or {@code runs/NAME-yyyyMMdd-HHmmss}; created if missing. */
    public static RunDirectory create(JobConfig job) {
        String out = job.string(JobKey.OUT);
        Path dir = out.isEmpty()
                ? Path.of("runs", job.string(JobKey.NAME) + "-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                : Path.of(out);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir + ": " + e.getMessage(), e);
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public void writeJob(JobConfig job) {
        AtomicFiles.write(dir.resolve("job.json"), Json.write(job.effective()).getBytes(StandardCharsets.UTF_8));
    }

    /** Appends one epoch's line to metrics.jsonl. */
    public void appendMetrics(EpochMetrics m) {
        try {
            Files.writeString(dir.resolve("metrics.jsonl"), Json.write(m.toJson()) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
        }
    }

    /** Keeps only the first {@code epochs} lines of metrics.jsonl (a resumed run rewrites what followed). */
    public void truncateMetrics(int epochs) {
        Path file = dir.resolve("metrics.jsonl");
        try {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                String kept = String.join("", lines.subList(0, Math.min(epochs, lines.size())).stream()
                        .map(l -> l + "\n").toList());
                AtomicFiles.write(file, kept.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    public void writeModel(Module model) {
        SafeTensors.write(dir.resolve("model.safetensors"), model.stateDict(), Map.of("format", "pt"));
    }

    public void writeEvaluation(Evaluation e, List<String> classNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_names", classNames);
        m.put("confusion", List.of(e.confusion()).stream().map(row -> java.util.Arrays.stream(row).boxed().toList())
                .toList());
        m.put("loss", e.loss());
        m.put("accuracy", e.accuracy());
        m.put("count", e.count());
        AtomicFiles.write(dir.resolve("evaluation.json"), Json.write(m).getBytes(StandardCharsets.UTF_8));
    }
}
