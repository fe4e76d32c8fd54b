package dev.ember.bench;

import dev.ember.backend.cpu.BlasThreads;
import dev.ember.data.DataLoader;
import dev.ember.job.JobConfig;
import dev.ember.job.LocalTraining;
import dev.ember.job.Models;
import dev.ember.job.Optimizers;
import dev.ember.job.Pipelines;
import dev.ember.job.RunWriter;
import dev.ember.nn.Module;
import dev.ember.optim.Optimizer;
import dev.ember.spark.SparkTraining;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Trainer;
import org.apache.spark.sql.SparkSession;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Efficiency of the Spark engine: training images/s of the digits job on Spark {@code local[2]}
 * (2 partitions) over in-process images/s with the same model and global batch, plus where the Spark
 * epoch's time goes (per-step cost, the driver's serial share of it, and the rest of the epoch's
 * training time). Each engine's figure is the median over epochs 2..N (the first warms the JIT and
 * starts Spark's training stage); a digits epoch is only 32 steps, so single epochs are noisy.
 *
 * <pre>bin/bench spark [epochs=5]</pre>
 */
public final class SparkEfficiencyBench {
    private SparkEfficiencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (epochs < 2) {
            throw new IllegalArgumentException("epochs must be at least 2 (the first is not measured)");
        }
        Path tmp = Files.createTempDirectory("ember-bench");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("SparkEfficiencyBench")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            System.out.printf(Locale.ROOT, "%-8s %6s %12s %12s %10s %14s %14s %14s %14s%n", "model", "batch",
                    "local img/s", "spark img/s", "spark/local", "local ms/step", "spark ms/step", "driver ms/step", "other s/epoch");
            row(spark, tmp, "mlp", 256, epochs);
            row(spark, tmp, "lenet5", 128, epochs);
        } finally {
            spark.stop();
        }
    }

    private static JobConfig job(Path out, String model, int batch, int epochs) {
        return JobConfig.parse("bench", List.of("name = bench-" + model, "model = " + model, "hidden = 256",
                "train = data/digits/train", "validation = data/digits/val", "epochs = " + epochs,
                "batch_size = " + batch, "optimizer = sgd", "lr = 0.05", "momentum = 0.9",
                "normalize_mean = 0.1307", "normalize_std = 0.3081", "seed = 0", "partitions = 2", "out = " + out),
                Map.of());
    }

    private static void row(SparkSession spark, Path tmp, String model, int batch, int epochs) {
        JobConfig job = job(tmp.resolve(model + "-local"), model, batch, epochs);
        BlasThreads.set(Runtime.getRuntime().availableProcessors());  // a Spark row before set it to spark.task.cpus
        Generator.manualSeed(0);
        LocalTraining.Datasets data = LocalTraining.datasets(job);
        DataLoader train = Pipelines.train(job, data.train());
        Module m = Models.create(job, train.imageShape(), 10);
        Optimizer opt = Optimizers.create(job, m.trainableParameters());
        List<EpochMetrics> local = Trainer.builder(m, opt, LocalTraining.loss(job), 10).epochs(epochs).build()
                .fit(train, null);
        double localImg = median(local.subList(1, local.size()).stream().mapToDouble(EpochMetrics::imagesPerSec));

        JobConfig sj = job(tmp.resolve(model + "-spark"), model, batch, epochs);
        SparkTraining.Result r = SparkTraining.run(spark, sj, RunWriter.create(sj), false,
                new PrintStream(new ByteArrayOutputStream()));
        double sparkImg = median(r.history().subList(1, epochs).stream().mapToDouble(EpochMetrics::imagesPerSec));
        List<SparkTraining.Timing> t = r.timings().subList(1, epochs);
        double localStep = 1000.0 * batch / localImg;
        double sparkStep = median(t.stream().mapToDouble(x -> 1000.0 * x.stepSeconds() / x.steps()));
        double driverStep = median(t.stream().mapToDouble(x -> 1000.0 * x.driverSeconds() / x.steps()));
        double other = median(t.stream().mapToDouble(x -> x.stageSeconds() - x.stepSeconds()));
        System.out.printf(Locale.ROOT, "%-8s %6d %12.0f %12.0f %10.2f %14.2f %14.2f %14.2f %14.3f%n", model, batch, localImg,
                sparkImg, sparkImg / localImg, localStep, sparkStep, driverStep, other);
    }

    private static double median(java.util.stream.DoubleStream values) {
        return Timer.median(values.toArray());
    }
}
