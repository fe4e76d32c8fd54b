package dev.ember.spark;

import dev.ember.data.DataLoader;
import dev.ember.data.ParquetImageDataset;
import dev.ember.io.Checkpoint;
import dev.ember.io.SafeTensors;
import dev.ember.job.JobConfig;
import dev.ember.job.JobConfigException;
import dev.ember.job.LocalTraining;
import dev.ember.job.Models;
import dev.ember.job.Optimizers;
import dev.ember.job.Pipelines;
import dev.ember.job.RunWriter;
import dev.ember.models.LeNet5;
import dev.ember.nn.Module;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.train.Evaluation;
import dev.ember.train.Trainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark engine on {@code local[4]} in this JVM, one session for the class. Small jobs: the
 * 2,000 validation digits serve as training data.
 */
class SparkTrainingTest {
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[4]").appName("SparkTrainingTest")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static JobConfig job(Path out, Map<String, String> extra) {
        java.util.List<String> lines = new java.util.ArrayList<>(List.of("name = t", "model = mlp", "hidden = 32",
                "train = data/digits/val", "validation = data/digits/val", "epochs = 1", "batch_size = 64",
                "optimizer = sgd", "lr = 0.05", "momentum = 0.9", "normalize_mean = 0.1307", "normalize_std = 0.3081",
                "seed = 3", "out = " + out));
        return JobConfig.parse("test.job", lines, extra);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    /** In-process reference: the real Trainer with the job's loaders. */
    static float[] inProcess(JobConfig job) {
        Generator.manualSeed(job.integer(dev.ember.job.JobKey.SEED));
        LocalTraining.Datasets data = LocalTraining.datasets(job);
        DataLoader train = Pipelines.train(job, data.train());
        Module model = Models.create(job, train.imageShape(), data.train().numClasses());
        Optimizer opt = Optimizers.create(job, model.trainableParameters());
        Trainer.builder(model, opt, LocalTraining.loss(job), 10).epochs(job.integer(dev.ember.job.JobKey.EPOCHS))
                .build().fit(train, null);
        return Flat.weights(model);
    }

    private static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tol, "max |difference| " + worst + " > " + tol);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void sameWeightsAsInProcessTraining(int partitions) {
        // 2,000 images, batch 64: 32 steps of SGD with momentum; shards differ in size (hash partitioning)
        JobConfig job = job(tmp.resolve("eq" + partitions), Map.of("partitions", Integer.toString(partitions)));
        float[] expected = inProcess(job);
        SparkTraining.Result r = SparkTraining.run(spark, job, RunWriter.create(job), false, quiet());
        assertClose(expected, Flat.weights(r.model()), 2e-5);
    }

    /** A small CNN with BatchNorm: conv 4 + BN + ReLU, 2×2 pool, Linear 16, 10 (no dropout: its masks are per engine). */
    private static JobConfig batchNormJob(Path out, int partitions) {
        return job(out, Map.of("model", "cnn", "cnn_layers", "4,M", "cnn_pool", "7", "hidden", "16", "dropout", "0",
                "partitions", Integer.toString(partitions), "train_subset", "512"));
    }

    @Test
    void batchNormRunningStatisticsTravelWithTheWeights() {
        // One partition computes what in-process training does, running statistics included (they used to stay at
        // their initial zeros and ones on the driver, so validation normalised with the wrong statistics).
        JobConfig one = batchNormJob(tmp.resolve("bn1"), 1);
        float[] expected = inProcess(one);
        SparkTraining.Result r1 = SparkTraining.run(spark, one, RunWriter.create(one), false, quiet());
        assertClose(expected, Flat.weights(r1.model()), 2e-5);
        Tensor mean = r1.model().stateDict().get("features.1.running_mean");
        assertTrue(Math.abs(mean.toFloatArray()[0]) > 1e-3, "running mean moved: " + mean);
        assertEquals(8L, r1.model().stateDict().get("features.1.num_batches_tracked").toLongArray()[0],
                "one BatchNorm step per global step");
        // Two shards normalise with their own batch statistics; the driver keeps their count-weighted mean
        JobConfig two = batchNormJob(tmp.resolve("bn2"), 2);
        SparkTraining.Result r2 = SparkTraining.run(spark, two, RunWriter.create(two), false, quiet());
        float[] m1 = mean.toFloatArray();
        float[] m2 = r2.model().stateDict().get("features.1.running_mean").toFloatArray();
        assertClose(m1, m2, 0.05);
        assertEquals(r1.history().get(0).valAccuracy(), r2.history().get(0).valAccuracy(), 0.05);
    }

    @Test
    void tasksInTheDriversJvmExchangeInMemoryOrOverTcpWithTheSameResult() {
        // local masters run tasks in this JVM: exchange = auto hands arrays over, tcp speaks the wire protocol
        Map<String, String> keys = Map.of("partitions", "3", "epochs", "2");
        JobConfig auto = job(tmp.resolve("ex-auto"), keys);
        JobConfig tcp = job(tmp.resolve("ex-tcp"), Map.of("partitions", "3", "epochs", "2", "exchange", "tcp"));
        SparkTraining.Result a = SparkTraining.run(spark, auto, RunWriter.create(auto), false, quiet());
        SparkTraining.Result b = SparkTraining.run(spark, tcp, RunWriter.create(tcp), false, quiet());
        assertClose(Flat.weights(a.model()), Flat.weights(b.model()), 0);
        assertEquals(a.history().get(1).valLoss(), b.history().get(1).valLoss());
    }

    @Test
    void anUnknownExchangeIsOneClearError() {
        JobConfig job = job(tmp.resolve("ex-bad"), Map.of("exchange", "shm"));
        JobConfigException e = assertThrows(JobConfigException.class,
                () -> SparkTraining.run(spark, job, RunWriter.create(job), false, quiet()));
        assertEquals("test.job: exchange: expected auto or tcp, got 'shm'", e.getMessage());
    }

    /** LeNet-5 with "pretrained" weights, frozen up to a new head, trained on a stratified subset of 500 digits. */
    private static JobConfig transferJob(Path out, Map<String, String> extra) {
        Path weights = tmp.resolve("lenet-pretrained.safetensors");
        if (!Files.exists(weights)) {
            Generator.manualSeed(5);
            SafeTensors.write(weights, LeNet5.mnist().stateDict(), Map.of());
        }
        Map<String, String> keys = new java.util.HashMap<>(Map.of("model", "lenet5", "pretrained", weights.toString(),
                "head", "classifier.4", "freeze", "features,classifier.0,classifier.2", "train_subset", "500",
                "epochs", "2", "batch_size", "32", "partitions", "2"));
        keys.putAll(extra);
        return job(out, keys);
    }

    private static Map<String, Tensor> trainedModel(Path out) {
        return SafeTensors.read(out.resolve("model.safetensors")).tensors();
    }

    private static void assertSameModel(Map<String, Tensor> expected, Map<String, Tensor> actual, double tol) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertClose(v.toFloatArray(), actual.get(k).toFloatArray(), tol));
    }

    @Test
    void transferJobsTrainTheSameHeadOnTheSameSubsetAsInProcessWithOrWithoutTheFeatureCache() {
        JobConfig local = transferJob(tmp.resolve("transfer-local"), Map.of("engine", "local"));
        LocalTraining.run(local, RunWriter.create(local), false, quiet());
        Map<String, Tensor> expected = trainedModel(tmp.resolve("transfer-local"));
        Map<String, Tensor> pretrained = SafeTensors.read(tmp.resolve("lenet-pretrained.safetensors")).tensors();

        JobConfig cached = transferJob(tmp.resolve("transfer-spark"), Map.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SparkTraining.Result c = SparkTraining.run(spark, cached, RunWriter.create(cached), false, new PrintStream(log));
        String text = log.toString();
        assertTrue(text.contains("froze [features, classifier.0, classifier.2]: 850 parameters left to train"), text);
        assertTrue(text.contains("500 train / 2000 validation images"), text);
        assertTrue(text.contains("feature cache: each task computes features.0..classifier.3 once for its partition "
                + "(first epoch); epochs train classifier.4 only"), text);
        for (String partition : List.of("partition 0: ", "partition 1: ")) {
            assertTrue(text.lines().anyMatch(l -> l.contains(partition) && l.contains("; features.0..classifier.3 "
                    + "computed in ")), "the executors computed the features: " + text);
        }
        Map<String, Tensor> trained = trainedModel(tmp.resolve("transfer-spark"));
        assertClose(pretrained.get("features.0.weight").toFloatArray(), trained.get("features.0.weight").toFloatArray(), 0);
        assertSameModel(expected, trained, 2e-5);
        assertEquals(850, Flat.size(c.model()), "only the head's weights and gradients travel");

        JobConfig whole = transferJob(tmp.resolve("transfer-spark-whole"), Map.of("feature_cache", "false"));
        log.reset();
        SparkTraining.Result w = SparkTraining.run(spark, whole, RunWriter.create(whole), false, new PrintStream(log));
        assertTrue(log.toString().contains("feature cache: off (feature_cache = false)"), log.toString());
        assertSameModel(expected, trainedModel(tmp.resolve("transfer-spark-whole")), 2e-5);
        assertEquals(w.finalEvaluation().correct(), c.finalEvaluation().correct());
        assertEquals(w.finalEvaluation().loss(), c.finalEvaluation().loss(), 1e-5);
        for (int e = 0; e < 2; e++) {
            assertEquals(w.history().get(e).valAccuracy(), c.history().get(e).valAccuracy());
        }
    }

    @Test
    void writesRunDirectoryAndResumesExactly() throws Exception {
        JobConfig straight = job(tmp.resolve("straight"), Map.of("epochs", "2", "partitions", "2"));
        SparkTraining.Result a = SparkTraining.run(spark, straight, RunWriter.create(straight), false, quiet());

        Path out = tmp.resolve("resumed");
        JobConfig first = job(out, Map.of("epochs", "1", "partitions", "2"));
        SparkTraining.run(spark, first, RunWriter.create(first), false, quiet());
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        Path ckpt = out.resolve("checkpoints/last.safetensors");
        assertEquals(1, Checkpoint.read(ckpt).epoch());
        assertEquals(32, Checkpoint.read(ckpt).step());

        JobConfig second = job(out, Map.of("epochs", "2", "partitions", "2"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SparkTraining.Result b = SparkTraining.run(spark, second, RunWriter.create(second), true, new PrintStream(log));
        assertTrue(log.toString().contains("resumed from"), log.toString());
        assertClose(Flat.weights(a.model()), Flat.weights(b.model()), 1e-6);
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertTrue(metrics.get(1).startsWith("{\"epoch\":2,\"train_loss\":"), metrics.get(1));
        for (String f : List.of("job.json", "model.safetensors", "evaluation.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertEquals(2, Checkpoint.read(ckpt).epoch());
        assertTrue(b.finalEvaluation().accuracy() > 0.8, "accuracy " + b.finalEvaluation().accuracy());
    }

    @Test
    void checkpointDirAcceptsHadoopUris() {
        Path dir = tmp.resolve("ckpt-elsewhere");
        JobConfig job = job(tmp.resolve("ck"), Map.of("checkpoint_dir", dir.toUri().toString(), "partitions", "2"));
        SparkTraining.run(spark, job, RunWriter.create(job), false, quiet());
        assertEquals(1, Checkpoint.read(dir.resolve("last.safetensors")).epoch());
    }

    @Test
    void unreachableMasterFailsFastNamingTheUrl() {
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkSessions.checkMaster("spark://127.0.0.1:1"));
        assertTrue(e.getMessage().contains("spark://127.0.0.1:1"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10);
        assertThrows(IllegalStateException.class, () -> SparkSessions.checkMaster("mesos://x:5050"));
    }

    @Test
    void missingDatasetIsAJobError() {
        JobConfig job = job(tmp.resolve("missing"), Map.of("train", "data/no-such-dataset"));
        JobConfigException e = assertThrows(JobConfigException.class,
                () -> SparkTraining.run(job, RunWriter.create(job), false, quiet()));
        assertTrue(e.getMessage().contains("data/no-such-dataset"), e.getMessage());
    }

    @Test
    void evaluateAndPredict() {
        JobConfig job = job(tmp.resolve("infer"), Map.of("partitions", "2"));
        SparkTraining.Result r = SparkTraining.run(spark, job, RunWriter.create(job), false, quiet());
        Path weights = tmp.resolve("infer/model.safetensors");
        Evaluation e = SparkInference.evaluate(spark, job, weights, Path.of("data/digits/val"));
        assertEquals(2000, e.count());
        assertEquals(r.finalEvaluation().correct(), e.correct());
        assertEquals(r.finalEvaluation().loss(), e.loss(), 1e-5);
        long sum = 0;
        for (long[] row : e.confusion()) {
            for (long v : row) {
                sum += v;
            }
        }
        assertEquals(2000, sum);

        String out = tmp.resolve("pred.parquet").toString();
        assertEquals(2000, SparkInference.predict(spark, job, weights, Path.of("data/digits/val"), out, 3));
        Dataset<Row> p = spark.read().parquet(out);
        assertEquals(e.correct(), p.filter("label = predicted").count());
        Row first = p.orderBy("row").first();
        assertEquals(0L, first.getLong(first.fieldIndex("row")));
        assertEquals(3, first.getList(first.fieldIndex("top_probabilities")).size());
        ParquetImageDataset plain = ParquetImageDataset.open(Path.of("data/digits/val"));
        assertEquals(plain.label(0), first.getInt(first.fieldIndex("label")));
    }

    @Test
    void cudaJobsOnAGpulessMachineFallBackToTheCpuOrFailClearly() {
        // local[*] schedules no GPUs: every task asks for cuda:0, which this machine cannot open
        JobConfig fallback = job(tmp.resolve("gpu-fb"), Map.of("partitions", "2", "device", "cuda",
                "gpu_fallback", "true"));
        float[] expected = inProcess(job(tmp.resolve("gpu-ref"), Map.of("partitions", "2")));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SparkTraining.Result r = SparkTraining.run(spark, fallback, RunWriter.create(fallback), false,
                new PrintStream(log));
        assertClose(expected, Flat.weights(r.model()), 2e-5);
        String text = log.toString();
        for (String part : List.of("partition 0:", "partition 1:")) {
            assertTrue(text.contains(part), text);
        }
        assertTrue(text.contains("cpu (fallback: no GPU assigned by Spark, using cuda:0"), text);

        JobConfig strict = job(tmp.resolve("gpu-strict"), Map.of("partitions", "2", "device", "cuda"));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> SparkTraining.run(spark, strict, RunWriter.create(strict), false, quiet()));
        assertTrue(e.getMessage().startsWith("executor ") && e.getMessage().contains(GpuPlacement.FAILURE + " cuda:0")
                && e.getMessage().contains("gpu_fallback = true"), e.getMessage());
        // ember evaluate with the fallback model: the same one clear error without the fallback
        Path weights = tmp.resolve("gpu-fb/model.safetensors");
        assertEquals(r.finalEvaluation().correct(),
                SparkInference.evaluate(spark, fallback, weights, Path.of("data/digits/val")).correct());
        RuntimeException ev = assertThrows(RuntimeException.class,
                () -> SparkInference.evaluate(spark, strict, weights, Path.of("data/digits/val")));
        assertTrue(ev.getMessage().startsWith("executor ") && ev.getMessage().contains(GpuPlacement.FAILURE),
                ev.getMessage());
    }
}
