package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The job a model was trained with, the weights and the Spark master: shared by evaluate and predict. */
final class TrainedJobOptions {
    @Parameters(index = "0", description = "the job file the model was trained with")
    Path job;

    @Option(names = "--model", required = true, description = "weights, e.g. runs/NAME/model.safetensors")
    Path model;

    @Option(names = "--master", description = "Spark master URL (default local[*])")
    String master;

    /** The job file with the master override applied. */
    JobConfig load() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (master != null) {
            overrides.put(JobKey.MASTER.key(), master);
        }
        return JobConfig.load(job, overrides);
    }
}
