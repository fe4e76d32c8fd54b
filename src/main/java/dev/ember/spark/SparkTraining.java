package dev.ember.spark;

import dev.ember.data.ImageShape;
import dev.ember.data.ImageSchema;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.StratifiedSplit;
import dev.ember.data.transforms.Transform;
import dev.ember.io.Checkpoint;
import dev.ember.io.Json;
import dev.ember.io.SafeTensors;
import dev.ember.job.FeatureCaching;
import dev.ember.job.JobConfig;
import dev.ember.job.JobConfigException;
import dev.ember.job.JobKey;
import dev.ember.job.Models;
import dev.ember.job.Optimizers;
import dev.ember.job.Pipelines;
import dev.ember.job.LocalTraining;
import dev.ember.job.RunWriter;
import dev.ember.job.Transfer;
import dev.ember.data.DataLoader;
import dev.ember.nn.Module;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Evaluation;
import dev.ember.train.FrozenPrefix;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ExecutionException;

/**
 * The Spark engine: synchronous data-parallel SGD whose result equals in-process training with the
 * same global batch (docs/spark-design.md). The driver holds the model and optimizer; each epoch is
 * one barrier stage of P long-lived tasks that exchange gradients and weights with the driver's
 * {@link GradientServer} every step; then a validation job; then a checkpoint on any Hadoop path.
 * The run directory is the same as the local engine's.
 */
public final class SparkTraining {
    private SparkTraining() {
    }

    /** The datasets as Spark reads them. */
    record Sets(ShardSpec train, ShardSpec validation, ImageShape rawShape) {
    }

    /** The result of a run: metrics per epoch run, the final validation and the trained model. */
    public record Result(List<EpochMetrics> history, Evaluation finalEvaluation, Module model, List<Timing> timings) {
    }

    /**
     * Where an epoch's training time went: the whole stage (job submission to completion), and the
     * steps alone (from the moment all P tasks were connected to the last applied step), and the
     * driver's share of those (summing gradients, the optimizer step, sending weights).
     */
    public record Timing(double stageSeconds, double stepSeconds, double driverSeconds, int steps) {
    }

    /**
     * The job's training and validation rows: validation given or a stratified split of train, then
     * train_subset's choice among the training rows, picked as the local engine picks them.
     */
    static Sets sets(SparkSession spark, JobConfig job) {
        Path train = LocalTraining.datasetPath(job, JobKey.TRAIN);
        boolean split = job.string(JobKey.VALIDATION).isEmpty();
        if (!split && job.integer(JobKey.TRAIN_SUBSET) <= 0) {
            Path val = LocalTraining.datasetPath(job, JobKey.VALIDATION);
            return new Sets(ShardSpec.of(train, "train", null), ShardSpec.of(val, "val", null), firstShape(spark, train));
        }
        ParquetImageDataset all = ParquetImageDataset.open(train);
        int[] labels = LocalTraining.labels(all);
        int[] trainRows = java.util.stream.IntStream.range(0, labels.length).toArray();
        ShardSpec validation;
        if (split) {
            StratifiedSplit.Split s = StratifiedSplit.split(labels, job.number(JobKey.VALIDATION_SPLIT),
                    job.integer(JobKey.SEED));
            trainRows = s.train();
            validation = ShardSpec.of(train, "val", positions(s.validation(), labels.length));
        } else {
            validation = ShardSpec.of(LocalTraining.datasetPath(job, JobKey.VALIDATION), "val", null);
        }
        int[] trainLabels = new int[trainRows.length];
        for (int i = 0; i < trainRows.length; i++) {
            trainLabels[i] = labels[trainRows[i]];
        }
        int[] picked = LocalTraining.trainSubset(job, trainLabels);
        if (picked != null) {
            int[] rows = new int[picked.length];
            for (int i = 0; i < picked.length; i++) {
                rows[i] = trainRows[picked[i]];
            }
            trainRows = rows;
        }
        return new Sets(ShardSpec.of(train, "train", positions(trainRows, labels.length)), validation, all.shape(0));
    }

    private static int[] positions(int[] subset, int n) {
        int[] keep = new int[n];
        java.util.Arrays.fill(keep, -1);
        for (int i = 0; i < subset.length; i++) {
            keep[subset[i]] = i;
        }
        return keep;
    }

    static ImageShape firstShape(SparkSession spark, Path dir) {
        Row r = spark.read().parquet(dir.toString())
                .select(ImageSchema.CHANNELS, ImageSchema.HEIGHT, ImageSchema.WIDTH).head();
        return new ImageShape(r.getInt(0), r.getInt(1), r.getInt(2));
    }

    /** The model's input: the raw image shape through the job's pipeline. */
    static ImageShape inputShape(JobConfig job, ImageShape raw) {
        Transform t = Pipelines.transform(job, raw.channels(), false);
        return t.outputShape(raw);
    }

    static int partitions(SparkSession spark, JobConfig job) {
        int p = job.integer(JobKey.PARTITIONS);
        return p > 0 ? p : spark.sparkContext().defaultParallelism();
    }

    /** Where checkpoints go: {@code checkpoint_dir}, else {@code file:} OUT/checkpoints. */
    static String checkpointPath(JobConfig job, RunWriter out) {
        String dir = job.string(JobKey.CHECKPOINT_DIR);
        if (dir.isEmpty()) {
            dir = out.checkpoints().toAbsolutePath().toUri().toString();
        }
        return (dir.endsWith("/") ? dir : dir + "/") + "last.safetensors";
    }

    /** Opens the job's SparkSession, runs, and stops the session. */
    public static Result run(JobConfig job, RunWriter out, boolean resume, PrintStream console) {
        LocalTraining.datasetPath(job, JobKey.TRAIN);
        if (!job.string(JobKey.VALIDATION).isEmpty()) {
            LocalTraining.datasetPath(job, JobKey.VALIDATION);
        }
        SparkSession spark = SparkSessions.open(job, "ember " + job.string(JobKey.NAME));
        try {
            return run(spark, job, out, resume, console);
        } finally {
            spark.stop();
        }
    }

    public static Result run(SparkSession spark, JobConfig job, RunWriter out, boolean resume, PrintStream console) {
        String exchange = job.string(JobKey.EXCHANGE);
        if (!exchange.equals("auto") && !exchange.equals("tcp")) {
            throw new JobConfigException(job.source() + ": exchange: expected auto or tcp, got '" + exchange + "'");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Generator.manualSeed(job.integer(JobKey.SEED));
        Sets sets = sets(spark, job);
        ImageShape shape = inputShape(job, sets.rawShape());
        int numClasses = job.integer(JobKey.NUM_CLASSES) > 0 ? job.integer(JobKey.NUM_CLASSES)
                : sets.train().classNames().size();
        Module model = Models.create(job, shape, numClasses);
        Transfer.apply(job, model, console);
        Optimizer optimizer = Optimizers.create(job, model.trainableParameters());
        LRScheduler scheduler = Optimizers.scheduler(job, optimizer);
        int batchSize = job.integer(JobKey.BATCH_SIZE);
        int stepsPerEpoch = (sets.train().size() + batchSize - 1) / batchSize;
        int total = job.integer(JobKey.EPOCHS);
        String checkpoint = checkpointPath(job, out);
        var hadoop = sc.hadoopConfiguration();
        int start = 0;
        if (resume) {
            if (!HadoopFiles.exists(checkpoint, hadoop)) {
                throw new JobConfigException("--resume: no checkpoint at " + checkpoint);
            }
            Checkpoint.Contents c = Checkpoint.read(HadoopFiles.read(checkpoint, hadoop), checkpoint);
            Checkpoint.restore(c, model, optimizer);
            start = c.epoch();
            if (scheduler != null) {
                scheduler.setLastEpoch(start);
            }
            console.printf(Locale.ROOT, "resumed from %s at epoch %d (step %d)%n", checkpoint, start, c.step());
        }
        out.start(job, start);
        int p = partitions(spark, job);
        console.printf(Locale.ROOT, "%s: %s on Spark %s (%d partitions), %d train / %d validation images of %s, "
                        + "%d classes, %d parameters%n", job.string(JobKey.NAME), job.string(JobKey.MODEL),
                spark.sparkContext().master(), p, sets.train().size(), sets.validation().size(), shape, numClasses,
                model.parameters().stream().mapToInt(t -> t.numel()).sum());
        FrozenPrefix cachedPrefix = FeatureCaching.plan(job, model,
                Pipelines.transform(job, sets.rawShape().channels(), true).isRandom(), console);
        if (cachedPrefix != null) {
            console.printf(Locale.ROOT, "feature cache: each task computes %s once for its partition (first epoch); "
                    + "epochs train %s only%n", FrozenPrefix.span(cachedPrefix.backbone()), FrozenPrefix.span(cachedPrefix.head()));
        }
        JavaRDD<Row> trainRows = sets.train().rows(spark, p);
        JavaRDD<Row> valRows = sets.validation().rows(spark, p);
        String runId = UUID.randomUUID().toString();
        String host = spark.sparkContext().getConf().get("spark.driver.host", "127.0.0.1");
        String bind = spark.sparkContext().getConf().get("spark.driver.bindAddress", host);
        List<EpochMetrics> history = new ArrayList<>();
        List<Timing> timings = new ArrayList<>();
        Evaluation last = null;  // the last epoch's validation: the final model's
        double best = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        int patience = job.integer(JobKey.EARLY_STOPPING);
        String group = "ember-" + runId;
        // what the steps' flat vectors leave out: frozen parameters and buffers, fixed for the run
        Broadcast<byte[]> initial = sc.broadcast(SafeTensors.toBytes(model.stateDict(), Map.of()));
        try (GradientServer server = new GradientServer(bind, runId, p)) {
            TrainTask task = new TrainTask(host, server.port(), runId, p, job.source(), job.effective(), sets.train(),
                    sets.validation(), shape, numClasses, initial);
            sc.setJobGroup(group, String.format(Locale.ROOT, "%s: train epochs %d-%d (%d steps each, then "
                    + "validation) on %d tasks", job.string(JobKey.NAME), start + 1, total, stepsPerEpoch, p), true);
            // The shuffle after the barrier stage makes it a ShuffleMapStage: Spark retries a failed barrier
            // ShuffleMapStage as a whole (new stage attempt), but aborts the job on a failed barrier ResultStage.
            JavaFutureAction<List<String>> stage = JavaRDD.fromRDD(StageInput.of(trainRows, valRows).rdd().barrier()
                            .mapPartitions(new BarrierFunction<>(task), false, ClassTag$.MODULE$.apply(String.class)),
                    ClassTag$.MODULE$.apply(String.class)).repartition(1).collectAsync();
            BooleanSupplier stageEnded = stage::isDone;
            try {
                for (int epoch = start; epoch < total; epoch++) {
                    long t0 = System.nanoTime();
                    int e = epoch;
                    long[] lastPrint = {t0};
                    GradientServer.EpochResult r = server.runEpoch(epoch, stepsPerEpoch, Flat.current(model),
                            (step, mean, count, lossSum) -> {
                                Flat.setAverages(model, mean);
                                optimizer.step();
                                return Flat.current(model);
                            }, stageEnded, (step, loss, images) -> {
                                long now = System.nanoTime();
                                if (now - lastPrint[0] > 10_000_000_000L && step < stepsPerEpoch) {
                                    lastPrint[0] = now;
                                    double secs = (now - t0) / 1e9;
                                    console.printf(Locale.ROOT, "  epoch %d/%d  step %d/%d  loss %.4f  %.0f img/s  eta %.0fs%n",
                                            e + 1, total, step, stepsPerEpoch, loss, images / secs,
                                            secs / step * (stepsPerEpoch - step));
                                }
                            });
                    double trainSeconds = (System.nanoTime() - t0) / 1e9;
                    timings.add(new Timing(trainSeconds, r.stepSeconds(), r.driverSeconds(), r.steps()));
                    double lr = optimizer.lr();
                    if (scheduler != null) {
                        scheduler.step();
                    }
                    Evaluation val = server.evaluate(epoch, Flat.current(model), numClasses, stageEnded);
                    last = val;
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    EpochMetrics m = new EpochMetrics(epoch + 1, r.lossSum() / r.steps(), val.loss(), val.accuracy(),
                            r.images() / trainSeconds, seconds, lr);
                    history.add(m);
                    out.epoch(m);
                    HadoopFiles.writeAtomically(checkpoint, Checkpoint.toBytes(model, optimizer, epoch + 1,
                            (long) (epoch + 1) * stepsPerEpoch, Map.of("job", Json.write(job.effective()))), hadoop);
                    console.printf(Locale.ROOT, "epoch %d/%d  %d steps  train loss %.4f  val loss %.4f  val acc %.2f%%"
                                    + "  %.0f img/s  %.1fs  eta %.0fs%s%n", m.epoch(), total, stepsPerEpoch, m.trainLoss(),
                            m.valLoss(), 100 * m.valAccuracy(), m.imagesPerSec(), m.seconds(), m.seconds() * (total - m.epoch()),
                            server.reconnects() > 0 ? "  (stage retried " + server.reconnects() + "x so far)" : "");
                    if (patience > 0) {
                        if (val.loss() < best) {
                            best = val.loss();
                            sinceBest = 0;
                        } else if (++sinceBest >= patience) {
                            break;
                        }
                    }
                }
                server.finish();
            } catch (RuntimeException ex) {
                stage.cancel(true);
                throw failure(stage, ex);
            }
            List<String> tasks;
            try {
                tasks = stage.get();
            } catch (ExecutionException ex) {
                throw gpuFailure(ex.getCause()).orElseGet(() -> new IllegalStateException("the training stage failed: "
                        + ex.getCause().getMessage(), ex.getCause()));
            }
            if (job.string(JobKey.DEVICE).strip().toLowerCase(Locale.ROOT).startsWith("cuda") || cachedPrefix != null) {
                for (String t : tasks) {
                    console.println("  " + t);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start the gradient server on " + bind + ": " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        } finally {
            sc.clearJobGroup();
            initial.destroy();
        }
        Evaluation finalEval = last;
        if (finalEval == null) {  // resumed with no epoch left
            sc.setJobDescription("final validation");
            finalEval = evaluate(sc, valRows, job, sets.validation(), p, shape, numClasses, model, runId);
        }
        out.finish(job, model, finalEval, sets.train().classNames(), sampleSource(job));
        console.printf(Locale.ROOT, "final validation: loss %.4f, accuracy %.2f%% (%d images); run directory %s%n",
                finalEval.loss(), 100 * finalEval.accuracy(), finalEval.count(), out.path());
        return new Result(history, finalEval, model, timings);
    }

    /** The validation images shown in the report, read on the driver (null when validation is a split of train). */
    private static DataLoader sampleSource(JobConfig job) {
        String validation = job.string(JobKey.VALIDATION);
        return validation.isEmpty() ? null
                : Pipelines.validation(job, ParquetImageDataset.open(java.nio.file.Path.of(validation)));
    }

    /** A task that could not open its GPU, as one clear error (Spark's stage-failure text buries it). */
    static java.util.Optional<RuntimeException> gpuFailure(Throwable sparkFailure) {
        String line = GpuPlacement.failureLine(sparkFailure);
        return line == null ? java.util.Optional.empty()
                : java.util.Optional.of(new IllegalStateException(line, sparkFailure));
    }

    /** Throws {@link #gpuFailure} when the Spark failure is a task that could not open its GPU. */
    static void rethrowGpuFailure(Throwable sparkFailure) {
        java.util.Optional<RuntimeException> gpu = gpuFailure(sparkFailure);
        if (gpu.isPresent()) {
            throw gpu.get();
        }
    }

    private static RuntimeException failure(JavaFutureAction<?> stage, RuntimeException ex) {
        try {
            stage.get();
        } catch (ExecutionException ee) {
            java.util.Optional<RuntimeException> gpu = gpuFailure(ee.getCause());
            if (gpu.isPresent()) {
                return gpu.get();
            }
            return new IllegalStateException(ex.getMessage() + ": " + ee.getCause().getMessage(), ee.getCause());
        } catch (Exception ignored) {
            // fall through
        }
        return ex;
    }

    /**
     * Scores {@code rows} with the model's current state dict: one task per partition, merged here;
     * with the frozen backbone's features that the executors cache for run {@code runId}, when the job caches.
     */
    static Evaluation evaluate(JavaSparkContext sc, JavaRDD<Row> rows, JobConfig job, ShardSpec spec, int partitions,
                               ImageShape shape, int numClasses, Module model, String runId) {
        Broadcast<byte[]> state = sc.broadcast(SafeTensors.toBytes(model.stateDict(), Map.of()));
        try {
            List<Object> parts;
            try {
                parts = rows.mapPartitions(new EvalTask(EvalTask.Mode.EVALUATE, job, spec, partitions, shape,
                        numClasses, state, 0, runId)).collect();
            } catch (Exception ex) { // SparkException is thrown undeclared
                rethrowGpuFailure(ex);
                throw ex;
            }
            Evaluation total = Evaluation.empty(numClasses);
            for (Object o : parts) {
                total = total.merge(((EvalTask.Part) o).evaluation());
            }
            return total;
        } finally {
            state.destroy();
        }
    }
}
