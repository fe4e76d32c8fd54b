package dev.ember.job;

import dev.ember.models.PretrainedWeights;
import dev.ember.nn.Module;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Transfer learning from a job: load {@code pretrained} weights (a safetensors state dict, e.g. another
 * run's model.safetensors or PyTorch's save_file output) except the {@code head} paths, which keep
 * their fresh initialisation, then freeze the {@code freeze} paths. The optimizer is then built over
 * the parameters left trainable. Both engines apply it on their model (the Spark engine on the driver's).
 */
public final class Transfer {
    private Transfer() {
    }

    public static void apply(JobConfig job, Module model, PrintStream console) {
        String pretrained = job.string(JobKey.PRETRAINED);
        if (!pretrained.isEmpty()) {
            Path file = Path.of(pretrained);
            if (!Files.exists(file)) {
                throw new JobConfigException(job.source() + ": pretrained: no such file " + file);
            }
            PretrainedWeights weights = PretrainedWeights.read(file);
            List<String> head = job.list(JobKey.HEAD);
            if (!head.isEmpty()) {
                weights = weights.without(head.toArray(String[]::new));
            }
            PretrainedWeights.LoadReport report = weights.loadInto(model, head.isEmpty());
            console.printf("pretrained %s: loaded %d tensors, kept the initialisation of %s%n", file,
                    report.loadedKeys().size(), report.missingKeys());
        }
        List<String> freeze = freeze(job, model);
        if (!freeze.isEmpty()) {
            long trainable = model.trainableParameters().stream().mapToLong(p -> p.numel()).sum();
            console.printf("froze %s: %d parameters left to train%n", freeze, trainable);
        }
    }

    /**
     * Freezes the job's {@code freeze} paths, quietly; returns them. Spark executors call it on their
     * copy of the model, whose weights come from the driver.
     */
    public static List<String> freeze(JobConfig job, Module model) {
        List<String> freeze = job.list(JobKey.FREEZE);
        if (!freeze.isEmpty()) {
            model.freeze(freeze.toArray(String[]::new));
        }
        return freeze;
    }
}
