package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.spark.SparkInference;
import dev.ember.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ember predict JOB --model M --data DIR --output OUT}: Parquet of row, predicted class, top-k probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict classes of a dataset's images with Spark; writes Parquet (row, label, predicted, "
                + "predicted_class, top_classes, top_probabilities).")
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    TrainedJobOptions trained;

    @Option(names = "--data", required = true, description = "dataset directory")
    Path data;

    @Option(names = "--output", required = true, description = "output Parquet directory (any Hadoop path)")
    String output;

    @Option(names = "--top-k", defaultValue = "3", description = "classes per image with probabilities (default 3)")
    int topK;

    @Override
    public Integer call() {
        JobConfig config = trained.load();
        SparkSession spark = SparkSessions.open(config, "ember predict");
        try {
            long n = SparkInference.predict(spark, config, trained.model, data, output, topK);
            System.out.println("wrote " + n + " predictions to " + output);
        } finally {
            spark.stop();
        }
        return 0;
    }
}
