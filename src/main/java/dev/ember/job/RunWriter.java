package dev.ember.job;

import dev.ember.autograd.GradMode;
import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Module;
import dev.ember.report.FinalEvaluation;
import dev.ember.report.JobFile;
import dev.ember.report.MetricsFile;
import dev.ember.report.ReportWriter;
import dev.ember.report.RunDirectory;
import dev.ember.report.TensorBoardWriter;
import dev.ember.report.ValidationSamples;
import dev.ember.tensor.Tensor;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Evaluation;
import dev.ember.train.Steps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's directory as training goes (the contract is docs/run-directory.md): job.json at the
 * start; a metrics.jsonl line and TensorBoard scalars per epoch; at the end model.safetensors
 * (PyTorch's names), evaluation.json, samples.safetensors and report.html. Both engines use it.
 */
public final class RunWriter implements AutoCloseable {
    private static final int SAMPLES = 48;

    private final Path dir;
    private TensorBoardWriter tensorBoard;

    private RunWriter(Path dir) {
        this.dir = dir;
    }

    /** The job's {@code out} directory, or {@code runs/NAME-yyyyMMdd-HHmmss}; created if missing. */
    public static RunWriter create(JobConfig job) {
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
        return new RunWriter(dir);
    }

    public Path path() {
        return dir;
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** Writes job.json; a resumed run first drops the metrics lines after its checkpoint's epoch. */
    public void start(JobConfig job, int resumedEpoch) {
        Path metrics = dir.resolve(RunDirectory.METRICS);
        if (Files.exists(metrics)) {
            List<EpochMetrics> kept = MetricsFile.read(metrics).stream().filter(m -> m.epoch() <= resumedEpoch).toList();
            try {
                Files.delete(metrics);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite " + metrics + ": " + e.getMessage(), e);
            }
            kept.forEach(m -> MetricsFile.append(metrics, m));
        }
        JobFile.write(dir.resolve(RunDirectory.JOB), job.effective());
        tensorBoard = TensorBoardWriter.create(dir);
    }

    /** Records one finished epoch. */
    public void epoch(EpochMetrics m) {
        MetricsFile.append(dir.resolve(RunDirectory.METRICS), m);
        tensorBoard.addEpoch(m);
    }

    /**
     * Final weights, evaluation, example predictions (from the first batch of {@code validation}; none
     * when it is null) and the HTML report.
     */
    public void finish(JobConfig job, Module model, Evaluation evaluation, List<String> classNames,
                       DataLoader validation) {
        SafeTensors.write(dir.resolve("model.safetensors"), model.stateDict(), Map.of("format", "pt"));
        FinalEvaluation.of(classNames, evaluation).write(dir.resolve(RunDirectory.EVALUATION));
        if (validation != null) {
            samples(job, model, validation).write(dir.resolve(RunDirectory.SAMPLES));
        }
        close();
        ReportWriter.write(dir);
    }

    /** Predictions on the first validation batch, with images un-normalised back to [0, 1] for display. */
    private static ValidationSamples samples(JobConfig job, Module model, DataLoader validation) {
        Batch b = validation.epoch(0).iterator().next();
        int c = b.shape().channels();
        Tensor mean = Tensor.wrap(Pipelines.perChannel(job, JobKey.NORMALIZE_MEAN, c), 1, c, 1, 1);
        Tensor std = Tensor.wrap(Pipelines.perChannel(job, JobKey.NORMALIZE_STD, c), 1, c, 1, 1);
        Device device = model.parameters().get(0).device();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var off = GradMode.noGrad()) {
            Tensor x = Steps.images(b, device);
            Tensor probs = model.forward(x).softmax(1).cpu();
            Tensor shown = x.cpu().mul(std).add(mean).clamp(0, 1);
            return ValidationSamples.select(shown, Steps.labels(b, Device.cpu()), probs, SAMPLES);
        } finally {
            model.train(wasTraining);
        }
    }

    @Override
    public void close() {
        if (tensorBoard != null) {
            tensorBoard.close();
            tensorBoard = null;
        }
    }
}
