package dev.ember.bench;

import breeze.optimize.CachedDiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import dev.ludovic.netlib.blas.BLAS;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.ann.ANNGradient;
import org.apache.spark.ml.ann.ANNUpdater;
import org.apache.spark.ml.ann.DataStacker;
import org.apache.spark.ml.ann.FeedForwardTopology;
import org.apache.spark.ml.ann.Topology;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Spark MLlib's {@code MultilayerPerceptronClassifier} (784-256-10: sigmoid hidden layer, softmax
 * output, its default L-BFGS solver, block size 128, seed 0) on Fashion-MNIST, for the side-by-side
 * with Ember's fashion-mlp job: how long MLlib's fit takes to reach a test accuracy (88 %).
 *
 * <p>The data are read by Spark from the Parquet dataset (raw uint8 pixels scaled to [0, 1]); the
 * training set is repartitioned to the master's default parallelism and cached before timing.
 *
 * <p><b>Curve.</b> fit() gives no per-iteration hook, and L-BFGS is deterministic, so the state after
 * k iterations of one run is what {@code fit} with {@code maxIter = k} returns. The curve therefore
 * runs MLlib's own fit pipeline once, one L-BFGS iteration at a time: the same {@code DataStacker}
 * blocks (persisted), {@code ANNGradient}/{@code ANNUpdater}, {@code LBFGS.CostFun} and breeze
 * {@code LBFGS} (10 corrections) that {@code MultilayerPerceptronClassifier.fit} →
 * {@code FeedForwardTrainer.train} → {@code LBFGS.runLBFGS} use. After each iteration it scores
 * the weights on the 10,000 test images on the driver (not timed) and prints the cumulative fit
 * time (stacking included), the training objective and the number of gradient passes (Spark jobs);
 * it stops at the target accuracy or after MAX_ITER iterations.
 *
 * <p><b>Check.</b> Then it calls the public {@code fit} with {@code maxIter} = VERIFY_ITER (default
 * 10, or fewer if the curve stopped earlier; 0 skips it), times it, scores it with {@code transform} +
 * {@code MulticlassClassificationEvaluator}, and compares its objective history and accuracy with the
 * curve's. VERIFY_ITER = the curve's last iteration times the public fit to the target, at the cost
 * of running it twice.
 *
 * <p>Usage: {@code bin/bench mllib [DATA_DIR=data/fashion] [MASTER=local[2]] [MAX_ITER=300] [TARGET=0.88] [VERIFY_ITER=10]}.
 * bin/bench runs it with {@code OPENBLAS_NUM_THREADS=1} (one BLAS thread per Spark task).
 */
public final class MllibComparisonBench {
    private static final int[] LAYERS = {784, 256, 10};
    private static final int BLOCK_SIZE = 128; // MLlib's default
    private static final long SEED = 0;
    private static final double TOL = 1e-6; // MultilayerPerceptronClassifier's default tol
    private static final int CORRECTIONS = 10; // mllib LBFGS's default numCorrections

    private MllibComparisonBench() {
    }

    public static void main(String[] args) {
        String dir = args.length > 0 ? args[0] : "data/fashion";
        String master = args.length > 1 ? args[1] : "local[2]";
        int maxIter = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        double target = args.length > 3 ? Double.parseDouble(args[3]) : 0.88;
        int verifyIter = args.length > 4 ? Integer.parseInt(args[4]) : -1;
        SparkSession spark = SparkSession.builder().master(master).appName("mllib-mlp-comparison")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        AtomicInteger jobs = new AtomicInteger();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart jobStart) {
                jobs.incrementAndGet();
            }
        });
        try {
            System.out.printf(Locale.ROOT, "master %s, default parallelism %d, BLAS %s, OPENBLAS_NUM_THREADS=%s, max heap %d MiB%n",
                    master, spark.sparkContext().defaultParallelism(), BLAS.getInstance().getClass().getSimpleName(),
                    System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"), Runtime.getRuntime().maxMemory() >> 20);
            long loadStart = System.nanoTime();
            Dataset<Row> train = frame(spark, dir + "/train").repartition(spark.sparkContext().defaultParallelism()).cache();
            Dataset<Row> test = frame(spark, dir + "/test").cache();
            long trainRows = train.count();
            TestSet testSet = TestSet.collect(test);
            System.out.printf(Locale.ROOT, "loaded %d training rows in %d partitions and %d test rows in %.1f s (not timed)%n",
                    trainRows, train.rdd().getNumPartitions(), testSet.labels.length, (System.nanoTime() - loadStart) / 1e9);

            Curve curve = curve(train, testSet, maxIter, target, jobs);
            int k = verifyIter >= 0 ? verifyIter : Math.min(10, curve.objective.size() - 1);
            if (curve.reachedAt >= 0) {
                System.out.printf(Locale.ROOT, "curve: %.2f %% test accuracy first reached at iteration %d, %.1f s of fit%n",
                        100 * target, curve.reachedAt, curve.seconds.get(curve.reachedAt));
            } else {
                System.out.printf(Locale.ROOT, "curve: %.2f %% not reached in %d iterations; best %.4f%n",
                        100 * target, curve.objective.size() - 1, curve.best);
            }
            if (k > 0) {
                check(train, test, testSet, curve, k);
            }
        } finally {
            spark.stop();
        }
    }

    /** Per-iteration results of the stepped run; index = L-BFGS iteration (0 = initial weights). */
    private record Curve(List<Double> seconds, List<Double> objective, List<Double> accuracy, int reachedAt, double best) {
    }

    private static Curve curve(Dataset<Row> train, TestSet testSet, int maxIter, double target, AtomicInteger jobs) {
        List<Double> seconds = new ArrayList<>();
        List<Double> objective = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-5s %9s %12s %10s %6s %8s%n", "iter", "fit s", "objective", "test acc", "jobs", "iter s");
        int jobs0 = jobs.get();
        long start = System.nanoTime();
        long excluded = 0; // driver-side scoring between iterations, not part of the fit
        // FeedForwardTrainer.train: stack (features, one-hot label) into blocks, persist, then LBFGS.runLBFGS.
        Topology topology = FeedForwardTopology.multiLayerPerceptron(LAYERS, true);
        DataStacker stacker = new DataStacker(BLOCK_SIZE, LAYERS[0], LAYERS[LAYERS.length - 1]);
        RDD<Tuple2<Vector, Vector>> pairs = train.select("features", "label").javaRDD()
                .map(row -> new Tuple2<>((Vector) row.getAs(0), oneHot(row.getDouble(1)))).rdd();
        RDD<Tuple2<Object, org.apache.spark.mllib.linalg.Vector>> stacked = new JavaRDD<>(stacker.stack(pairs), ClassTag$.MODULE$.apply(Tuple2.class))
                .map(t -> new Tuple2<Object, org.apache.spark.mllib.linalg.Vector>(t._1(),
                        org.apache.spark.mllib.linalg.Vectors.fromML((Vector) t._2())))
                .rdd().persist(StorageLevel.MEMORY_AND_DISK());
        long numExamples = stacked.count();
        breeze.optimize.DiffFunction<breeze.linalg.DenseVector<Object>> costFun = costFun(stacked, topology, stacker, numExamples);
        @SuppressWarnings({"rawtypes", "unchecked"})
        breeze.optimize.LBFGS<breeze.linalg.DenseVector<Object>> lbfgs = new breeze.optimize.LBFGS(maxIter, CORRECTIONS, TOL,
                (breeze.math.MutableInnerProductModule) breeze.linalg.DenseVector$.MODULE$.space_Double());
        CachedDiffFunction<breeze.linalg.DenseVector<Object>> cached = new CachedDiffFunction<>(costFun,
                breeze.linalg.DenseVector$.MODULE$.canCopyDenseVector(ClassTag$.MODULE$.Double()));
        Vector initial = topology.model(SEED).weights();
        breeze.linalg.DenseVector<Object> x0 = org.apache.spark.mllib.linalg.Vectors.fromML(initial).asBreeze()
                .toDenseVector$mcD$sp(ClassTag$.MODULE$.Double());
        scala.collection.Iterator<FirstOrderMinimizer.State<breeze.linalg.DenseVector<Object>, Object, Object>> states =
                lbfgs.iterations(cached, x0);
        int reachedAt = -1;
        double best = 0;
        double previous = 0;
        try {
            while (states.hasNext()) {
                FirstOrderMinimizer.State<breeze.linalg.DenseVector<Object>, Object, Object> state = states.next();
                double fitSeconds = (System.nanoTime() - start - excluded) / 1e9;
                long scoreStart = System.nanoTime();
                double[] weights = state.x().toArray$mcD$sp(ClassTag$.MODULE$.Double());
                double acc = testSet.accuracy(weights);
                if (state.iter() == 0) {
                    double viaMllib = testSet.accuracyViaTopology(topology, weights);
                    System.out.printf(Locale.ROOT, "      (initial weights scored by MLlib's own predict: %.4f%s)%n", viaMllib,
                            viaMllib == acc ? ", same" : " -- DIFFERS from the driver scoring");
                }
                seconds.add(fitSeconds);
                objective.add(state.value());
                accuracy.add(acc);
                best = Math.max(best, acc);
                System.out.printf(Locale.ROOT, "%-5d %9.1f %12.6f %10.4f %6d %8.1f%n", state.iter(), fitSeconds, state.value(),
                        acc, jobs.get() - jobs0, fitSeconds - previous);
                previous = fitSeconds;
                excluded += System.nanoTime() - scoreStart;
                if (acc >= target) {
                    reachedAt = state.iter();
                    break;
                }
            }
        } finally {
            stacked.unpersist(true);
        }
        return new Curve(seconds, objective, accuracy, reachedAt, best);
    }

    /** mllib's {@code LBFGS.CostFun} (a private class: Java reaches it by reflection), regParam 0 as in runLBFGS. */
    @SuppressWarnings("unchecked")
    private static breeze.optimize.DiffFunction<breeze.linalg.DenseVector<Object>> costFun(
            RDD<Tuple2<Object, org.apache.spark.mllib.linalg.Vector>> stacked, Topology topology, DataStacker stacker,
            long numExamples) {
        try {
            var constructor = Class.forName("org.apache.spark.mllib.optimization.LBFGS$CostFun").getDeclaredConstructor(
                    RDD.class, org.apache.spark.mllib.optimization.Gradient.class,
                    org.apache.spark.mllib.optimization.Updater.class, double.class, long.class);
            constructor.setAccessible(true);
            return (breeze.optimize.DiffFunction<breeze.linalg.DenseVector<Object>>) constructor.newInstance(stacked,
                    new ANNGradient(topology, stacker), new ANNUpdater(), 0.0, numExamples);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Spark's mllib LBFGS has no CostFun(RDD, Gradient, Updater, double, long)", e);
        }
    }

    /** The public API: fit with maxIter = k, timed, scored with transform and the evaluator; compared with the curve. */
    private static void check(Dataset<Row> train, Dataset<Row> test, TestSet testSet, Curve curve, int k) {
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(LAYERS).setBlockSize(BLOCK_SIZE)
                .setMaxIter(k).setTol(TOL).setSeed(SEED);
        long start = System.nanoTime();
        MultilayerPerceptronClassificationModel model = mlp.fit(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double acc = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
        double driverAcc = testSet.accuracy(model.weights().toArray());
        double[] history = model.summary().objectiveHistory();
        double maxDiff = 0;
        int compared = Math.min(history.length, curve.objective.size());
        for (int i = 0; i < compared; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(history[i] - curve.objective.get(i)));
        }
        System.out.printf(Locale.ROOT, "check: MultilayerPerceptronClassifier.fit(maxIter=%d) %.1f s, %d iterations, "
                        + "test accuracy %.4f (transform + evaluator; driver scoring %.4f); objective history vs curve: "
                        + "max |diff| %.3g over %d iterations%n",
                k, seconds, history.length - 1, acc, driverAcc, maxDiff, compared);
        if (k < curve.accuracy.size()) {
            System.out.printf(Locale.ROOT, "check: the curve at iteration %d: %.1f s, test accuracy %.4f%n", k,
                    curve.seconds.get(k), curve.accuracy.get(k));
        }
    }

    private static Vector oneHot(double label) {
        double[] v = new double[LAYERS[LAYERS.length - 1]];
        v[(int) label] = 1;
        return Vectors.dense(v);
    }

    /** (label, features) rows, features = raw uint8 pixels scaled to [0, 1], read by Spark from the Parquet dataset. */
    private static Dataset<Row> frame(SparkSession spark, String dir) {
        int n = LAYERS[0];
        UserDefinedFunction pixels = functions.udf((UDF1<byte[], Vector>) bytes -> {
            if (bytes.length != n) {
                throw new IllegalArgumentException("expected " + n + " raw pixels, got " + bytes.length + " bytes");
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = (bytes[i] & 0xff) / 255.0;
            }
            return Vectors.dense(v);
        }, new VectorUDT());
        Dataset<Row> raw = spark.read().parquet(dir);
        long notRaw = raw.filter(functions.col("encoding").notEqual("raw")).count();
        if (notRaw > 0) {
            throw new IllegalArgumentException(dir + ": " + notRaw + " images are not raw-encoded");
        }
        return raw.select(functions.col("label").cast("double").as("label"), pixels.apply(functions.col("image")).as("features"));
    }

    /** The test set on the driver, column-major (784 x n), for scoring weights after every iteration. */
    private static final class TestSet {
        private final double[] x;
        private final int[] labels;
        private final List<Vector> rows;

        private TestSet(double[] x, int[] labels, List<Vector> rows) {
            this.x = x;
            this.labels = labels;
            this.rows = rows;
        }

        static TestSet collect(Dataset<Row> test) {
            List<Row> rows = test.select("features", "label").collectAsList();
            int d = LAYERS[0];
            double[] x = new double[rows.size() * d];
            int[] labels = new int[rows.size()];
            List<Vector> vectors = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Vector v = rows.get(i).getAs(0);
                System.arraycopy(v.toArray(), 0, x, i * d, d);
                labels[i] = (int) rows.get(i).getDouble(1);
                vectors.add(v);
            }
            return new TestSet(x, labels, vectors);
        }

        /**
         * argmax(W2 sigmoid(W1 x + b1) + b2), with MLlib's weight layout: per affine layer, W (out x in,
         * column-major) then b. Softmax is monotone, so it is skipped.
         */
        double accuracy(double[] weights) {
            int n = labels.length;
            int in = LAYERS[0];
            int hidden = LAYERS[1];
            int out = LAYERS[2];
            int b1 = hidden * in;
            int w2 = b1 + hidden;
            int b2 = w2 + out * hidden;
            double[] h = new double[hidden * n];
            for (int j = 0; j < n; j++) {
                System.arraycopy(weights, b1, h, j * hidden, hidden);
            }
            BLAS blas = BLAS.getInstance();
            blas.dgemm("N", "N", hidden, n, in, 1.0, weights, 0, hidden, x, 0, in, 1.0, h, 0, hidden);
            for (int i = 0; i < h.length; i++) {
                h[i] = 1.0 / (1.0 + Math.exp(-h[i]));
            }
            double[] o = new double[out * n];
            for (int j = 0; j < n; j++) {
                System.arraycopy(weights, b2, o, j * out, out);
            }
            blas.dgemm("N", "N", out, n, hidden, 1.0, weights, w2, out, h, 0, hidden, 1.0, o, 0, out);
            int correct = 0;
            for (int j = 0; j < n; j++) {
                int arg = 0;
                for (int c = 1; c < out; c++) {
                    if (o[j * out + c] > o[j * out + arg]) {
                        arg = c;
                    }
                }
                if (arg == labels[j]) {
                    correct++;
                }
            }
            return (double) correct / n;
        }

        /** The same score through MLlib's own model (slow: one row at a time); checks {@link #accuracy}. */
        double accuracyViaTopology(Topology topology, double[] weights) {
            var model = topology.model(Vectors.dense(weights));
            int correct = 0;
            for (int j = 0; j < labels.length; j++) {
                if (model.predict(rows.get(j)).argmax() == labels[j]) {
                    correct++;
                }
            }
            return (double) correct / labels.length;
        }
    }
}
