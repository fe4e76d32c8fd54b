package dev.ember.cli;

import dev.ember.io.Json;
import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import dev.ember.spark.SparkInference;
import dev.ember.spark.SparkSessions;
import dev.ember.train.Evaluation;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ember evaluate JOB --model M [--data DIR]}: loss, accuracy and confusion matrix, as a Spark job. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate trained weights (model.safetensors) on a dataset with Spark.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    TrainedJobOptions trained;

    @Option(names = "--data", description = "dataset directory (default: the job's validation dataset)")
    Path data;

    @Option(names = "--output", description = "also write the evaluation as JSON here")
    Path output;

    @Override
    public Integer call() {
        JobConfig config = trained.load();
        Path dir = data != null ? data : Path.of(config.string(config.string(JobKey.VALIDATION).isEmpty()
                ? JobKey.TRAIN : JobKey.VALIDATION));
        SparkSession spark = SparkSessions.open(config, "ember evaluate");
        try {
            Evaluation e = SparkInference.evaluate(spark, config, trained.model, dir);
            System.out.printf(Locale.ROOT, "%s on %s: loss %.4f, accuracy %.2f%% (%d images)%n", trained.model, dir, e.loss(),
                    100 * e.accuracy(), e.count());
            System.out.println("confusion (rows: true class, columns: predicted):");
            for (long[] row : e.confusion()) {
                System.out.println("  " + Arrays.toString(row));
            }
            if (output != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("loss", e.loss());
                m.put("accuracy", e.accuracy());
                m.put("count", e.count());
                m.put("confusion", Arrays.stream(e.confusion()).map(r -> Arrays.stream(r).boxed().toList()).toList());
                try {
                    Files.writeString(output, Json.write(m));
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot write " + output + ": " + ex.getMessage(), ex);
                }
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
