package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import dev.ember.spark.SparkInference;
import dev.ember.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ember predict JOB --model M --data DIR --output OUT}: Parquet of row, predicted class, top-k probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict classes of a dataset's images with Spark; writes Parquet (row, label, predicted, "
                + "predicted_class, top_classes, top_probabilities).")
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the job file the model was trained with")
    Path job;

    @Option(names = "--model", required = true, description = "weights, e.g. runs/NAME/model.safetensors")
    Path model;

    @Option(names = "--data", required = true, description = "dataset directory")
    Path data;

    @Option(names = "--output", required = true, description = "output Parquet directory (any Hadoop path)")
    String output;

    @Option(names = "--top-k", defaultValue = "3", description = "classes per image with probabilities (default 3)")
    int topK;

    @Option(names = "--master", description = "Spark master URL (default local[*])")
    String master;

    @Override
    public Integer call() {
        Map<String, String> o = new LinkedHashMap<>();
        if (master != null) {
            o.put(JobKey.MASTER.key(), master);
        }
        JobConfig config = JobConfig.load(job, o);
        SparkSession spark = SparkSessions.open(config, "ember predict");
        try {
            long n = SparkInference.predict(spark, config, model, data, output, topK);
            System.out.println("wrote " + n + " predictions to " + output);
        } finally {
            spark.stop();
        }
        return 0;
    }
}
