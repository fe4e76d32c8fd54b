package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import dev.ember.job.LocalTraining;
import dev.ember.job.RunWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ember train JOB}: trains the job's model; Spark runs it unless {@code engine = local}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the model of a job file (jobs/*.job); any key can be overridden.")
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the job file, e.g. jobs/digits-mlp.job")
    Path job;

    @Option(names = "--set", description = "override a key: --set epochs=5 (repeatable)")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--epochs", description = "shorthand for --set epochs=N")
    Integer epochs;

    @Option(names = "--out", description = "run directory (default runs/NAME-TIMESTAMP)")
    String out;

    @Option(names = "--master", description = "Spark master URL (default local[*])")
    String master;

    @Option(names = "--engine", description = "spark or local")
    String engine;

    @Option(names = "--resume", description = "continue from the run directory's last checkpoint (needs --out)")
    boolean resume;

    @Override
    public Integer call() {
        Map<String, String> o = new LinkedHashMap<>(overrides);
        if (epochs != null) {
            o.put(JobKey.EPOCHS.key(), epochs.toString());
        }
        if (out != null) {
            o.put(JobKey.OUT.key(), out);
        }
        if (master != null) {
            o.put(JobKey.MASTER.key(), master);
        }
        if (engine != null) {
            o.put(JobKey.ENGINE.key(), engine);
        }
        JobConfig config = JobConfig.load(job, o);
        if (resume && config.string(JobKey.OUT).isEmpty()) {
            throw new IllegalArgumentException("--resume needs --out DIR (the run directory to continue)");
        }
        try (RunWriter dir = RunWriter.create(config)) {
            switch (config.string(JobKey.ENGINE)) {
                case "local" -> LocalTraining.run(config, dir, resume, System.out);
                case "spark" -> SparkEngineLauncher.run(config, dir, resume, System.out);
                default -> throw new IllegalArgumentException(config.source() + ": engine: expected spark or local, "
                        + "got '" + config.string(JobKey.ENGINE) + "'");
            }
        }
        return 0;
    }
}
