package dev.ember.spark;

import dev.ember.data.ImageShape;
import dev.ember.io.SafeTensors;
import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import dev.ember.job.Models;
import dev.ember.nn.Module;
import dev.ember.train.Evaluation;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code ember evaluate} and {@code ember predict} as Spark jobs over a dataset's partitions. */
public final class SparkInference {
    private SparkInference() {
    }

    private record Setup(ShardSpec spec, ImageShape shape, int numClasses, byte[] state, int partitions) {
    }

    private static Setup setup(SparkSession spark, JobConfig job, Path modelFile, Path data) {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file " + modelFile + " does not exist");
        }
        if (!Files.exists(data)) {
            throw new IllegalArgumentException("dataset directory " + data + " does not exist");
        }
        ShardSpec spec = ShardSpec.of(data, "infer", null);
        ImageShape shape = SparkTraining.inputShape(job, SparkTraining.firstShape(spark, data));
        int numClasses = job.integer(JobKey.NUM_CLASSES) > 0 ? job.integer(JobKey.NUM_CLASSES) : spec.classNames().size();
        Module model = TrainTask.createModel(job, shape, numClasses);
        model.loadStateDict(SafeTensors.read(modelFile).tensors(), true); // fails here, on the driver, on a mismatch
        return new Setup(spec, shape, numClasses, SafeTensors.toBytes(model.stateDict(), Map.of()),
                SparkTraining.partitions(spark, job));
    }

    /** Loss, accuracy and confusion matrix of the model in {@code modelFile} on the dataset at {@code data}. */
    public static Evaluation evaluate(SparkSession spark, JobConfig job, Path modelFile, Path data) {
        Setup s = setup(spark, job, modelFile, data);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        sc.setJobDescription("ember evaluate " + modelFile + " on " + data);
        Broadcast<byte[]> state = sc.broadcast(s.state());
        try {
            Evaluation total = Evaluation.empty(s.numClasses());
            for (Object o : s.spec().rows(spark, s.partitions()).mapPartitions(new EvalTask(EvalTask.Mode.EVALUATE, job,
                    s.spec(), s.partitions(), s.shape(), s.numClasses(), state, 0, null)).collect()) {
                total = total.merge(((EvalTask.Part) o).evaluation());
            }
            return total;
        } catch (Exception ex) { // SparkException is thrown undeclared
            SparkTraining.rethrowGpuFailure(ex);
            throw ex;
        } finally {
            state.destroy();
        }
    }

    /** The schema of predict's output. */
    public static final StructType PREDICTION_SCHEMA = new StructType()
            .add("row", DataTypes.LongType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("predicted", DataTypes.IntegerType, false)
            .add("predicted_class", DataTypes.StringType, false)
            .add("top_classes", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("top_probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /**
     * Writes one row per image to the Parquet directory {@code output}: its global row index (the
     * plain-Java reader's index), label, predicted class (index and name) and the top-k classes with
     * their softmax probabilities. Returns the number of rows.
     */
    public static long predict(SparkSession spark, JobConfig job, Path modelFile, Path data, String output, int topK) {
        Setup s = setup(spark, job, modelFile, data);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        sc.setJobDescription("ember predict " + modelFile + " on " + data + " to " + output);
        Broadcast<byte[]> state = sc.broadcast(s.state());
        List<String> names = s.spec().classNames();
        try {
            JavaRDD<Row> rows = s.spec().rows(spark, s.partitions()).mapPartitions(new EvalTask(EvalTask.Mode.PREDICT,
                    job, s.spec(), s.partitions(), s.shape(), s.numClasses(), state, topK, null)).map(o -> {
                        EvalTask.Prediction p = (EvalTask.Prediction) o;
                        String name = p.predicted() < names.size() ? names.get(p.predicted()) : Integer.toString(p.predicted());
                        return RowFactory.create(p.row(), p.label(), p.predicted(), name, p.topClasses(), p.topProbabilities());
                    });
            Dataset<Row> frame = spark.createDataFrame(rows, PREDICTION_SCHEMA).orderBy("row");
            frame.write().mode("overwrite").parquet(output);
            return spark.read().parquet(output).count();
        } catch (Exception ex) { // SparkException is thrown undeclared
            SparkTraining.rethrowGpuFailure(ex);
            throw ex;
        } finally {
            state.destroy();
        }
    }
}
