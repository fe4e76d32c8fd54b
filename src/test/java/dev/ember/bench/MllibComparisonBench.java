package dev.ember.bench;

import dev.ember.data.ImageDataset;
import dev.ember.data.ParquetImageDataset;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Spark MLlib's {@code MultilayerPerceptronClassifier} (784-256-10, its default L-BFGS solver) on
 * Fashion-MNIST, for the side-by-side with Ember's fashion-mlp job: for growing iteration budgets,
 * the wall time of fit() and the test accuracy, so the time to reach 88 % can be read off.
 * Usage: bin/bench mllib [DATA_DIR=data/fashion] [MASTER=local[2]]
 */
public final class MllibComparisonBench {
    private MllibComparisonBench() {
    }

    public static void main(String[] args) {
        String dir = args.length > 0 ? args[0] : "data/fashion";
        String master = args.length > 1 ? args[1] : "local[2]";
        SparkSession spark = SparkSession.builder().master(master).appName("mllib-mlp-comparison")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> train = frame(spark, ParquetImageDataset.open(Path.of(dir, "train"))).cache();
            Dataset<Row> test = frame(spark, ParquetImageDataset.open(Path.of(dir, "test"))).cache();
            train.count();
            test.count();
            MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
            System.out.printf(Locale.ROOT, "%-10s %12s %14s%n", "max_iter", "fit seconds", "test accuracy");
            for (int iterations : new int[] {25, 50, 100, 200}) {
                MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
                        .setLayers(new int[] {784, 256, 10}).setBlockSize(128).setMaxIter(iterations).setSeed(0);
                long start = System.nanoTime();
                MultilayerPerceptronClassificationModel model = mlp.fit(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                double acc = accuracy.evaluate(model.transform(test));
                System.out.printf(Locale.ROOT, "%-10d %12.1f %14.4f%n", iterations, seconds, acc);
                if (acc >= 0.88) {
                    break;
                }
            }
        } finally {
            spark.stop();
        }
    }

    /** (label, features) rows with pixels scaled to [0, 1], as MLlib expects. */
    private static Dataset<Row> frame(SparkSession spark, ImageDataset data) {
        int n = data.shape(0).numel();
        float[] pixels = new float[n];
        List<Row> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            data.readImage(i, pixels, 0);
            double[] features = new double[n];
            for (int k = 0; k < n; k++) {
                features[k] = pixels[k];
            }
            rows.add(RowFactory.create((double) data.label(i), Vectors.dense(features)));
        }
        StructType schema = new StructType(new StructField[] {
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", new VectorUDT(), false)});
        return spark.createDataFrame(rows, schema);
    }
}
