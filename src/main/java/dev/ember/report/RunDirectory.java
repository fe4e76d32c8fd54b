package dev.ember.report;

import dev.ember.train.EpochMetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A training run's directory and its files, as docs/run-directory.md defines them. */
public final class RunDirectory {
    public static final String JOB = "job.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String EVALUATION = "evaluation.json";
    public static final String SAMPLES = "samples.safetensors";
    public static final String REPORT = "report.html";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** The run directory at {@code dir}, which must exist. */
    public static RunDirectory at(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RunFileException(dir, Files.exists(dir) ? "not a directory" : "no such run directory");
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public Map<String, Object> job() {
        return JobFile.read(file(JOB));
    }

    public List<EpochMetrics> metrics() {
        return MetricsFile.read(file(METRICS));
    }

    /** Empty until the run has finished and written its final validation. */
    public Optional<FinalEvaluation> evaluation() {
        Path f = file(EVALUATION);
        return Files.exists(f) ? Optional.of(FinalEvaluation.read(f)) : Optional.empty();
    }

    /** Empty until the run has finished and written its validation examples. */
    public Optional<ValidationSamples> samples() {
        Path f = file(SAMPLES);
        return Files.exists(f) ? Optional.of(ValidationSamples.read(f)) : Optional.empty();
    }
}
