package dev.ember.spark;

import dev.ember.backend.cpu.BlasThreads;
import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.ImageShape;
import dev.ember.data.transforms.Transform;
import dev.ember.io.SafeTensors;
import dev.ember.job.FeatureCaching;
import dev.ember.job.JobConfig;
import dev.ember.job.LocalTraining;
import dev.ember.job.Pipelines;
import dev.ember.job.Transfer;
import dev.ember.loss.Loss;
import dev.ember.nn.Module;
import dev.ember.train.Evaluation;
import dev.ember.train.Features;
import dev.ember.train.FrozenPrefix;
import dev.ember.train.Steps;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scores one partition with the broadcast state dict (safetensors bytes): validation after each
 * epoch and {@code ember evaluate} ({@link Mode#EVALUATE}: one {@link Part} per partition, merged
 * on the driver), or {@code ember predict} ({@link Mode#PREDICT}: one {@link Prediction} per row).
 */
final class EvalTask implements FlatMapFunction<Iterator<Row>, Object> {
    enum Mode { EVALUATE, PREDICT }

    private static final int BATCH = 256;

    /** A partition's {@link Evaluation}, in a serializable form. */
    record Part(double lossSum, long correct, long count, long[][] confusion) implements Serializable {
        Evaluation evaluation() {
            return new Evaluation(lossSum, correct, count, confusion);
        }
    }

    /** One row's prediction: global row index, predicted class and the top-k classes with their probabilities. */
    record Prediction(long row, int label, int predicted, int[] topClasses, float[] topProbabilities)
            implements Serializable {
    }

    private final Mode mode;
    private final String jobSource;
    private final Map<String, String> job;
    private final ShardSpec spec;
    private final int partitions;
    private final int[] inputShape;
    private final int numClasses;
    private final Broadcast<byte[]> state;
    private final int topK;
    private final String featureRun;

    /**
     * @param featureRun the training run whose frozen backbone's features of this set the executors
     *        cache (validation during training, when the job caches features); null: run the whole model
     */
    EvalTask(Mode mode, JobConfig job, ShardSpec spec, int partitions, ImageShape inputShape, int numClasses,
             Broadcast<byte[]> state, int topK, String featureRun) {
        this.mode = mode;
        this.jobSource = job.source();
        this.job = new LinkedHashMap<>(job.effective());
        this.spec = spec;
        this.partitions = partitions;
        this.inputShape = new int[] {inputShape.channels(), inputShape.height(), inputShape.width()};
        this.numClasses = numClasses;
        this.state = state;
        this.topK = topK;
        this.featureRun = featureRun;
    }

    @Override
    public Iterator<Object> call(Iterator<Row> rows) {
        BlasThreads.set(TaskContext.get().cpus());  // as TrainTask: BLAS calls stay on the task's cores
        int partition = TaskContext.getPartitionId();
        Shards.Shard shard = Shards.get(spec, partitions, partition, rows);
        List<Object> out = new ArrayList<>();
        Evaluation total = Evaluation.empty(numClasses);
        int n = shard.data().size();
        if (n > 0) {
            JobConfig config = JobConfig.fromEffective(jobSource, job);
            ImageShape shape = new ImageShape(inputShape[0], inputShape[1], inputShape[2]);
            Device device = GpuPlacement.forTask(config.string(dev.ember.job.JobKey.DEVICE),
                    config.flag(dev.ember.job.JobKey.GPU_FALLBACK)).device();
            Module model = TrainTask.createModel(config, shape, numClasses);
            model.loadStateDict(SafeTensors.read(state.value(), "broadcast weights").tensors(), true);
            model.to(device);
            model.eval();
            var loss = LocalTraining.loss(config);
            int channels = shard.data().shape(0).channels();
            Transform transform = Pipelines.transform(config, channels, false);
            FrozenPrefix prefix = null;
            if (featureRun != null) {
                Transfer.freeze(config, model);
                prefix = FeatureCaching.plan(config, model, Pipelines.transform(config, channels, true).isRandom(), null);
            }
            if (mode == Mode.EVALUATE) {
                total = score(model, loss, shard, transform, shape, device, numClasses, prefix, featureRun, spec,
                        partitions, partition);
            } else {
                int from = 0;
                for (Iterator<Batch> it = ShardBatches.inOrder(shard, transform, shape, 0, BATCH); it.hasNext(); ) {
                    Batch b = it.next();
                    predict(model, b, from, shard, out, device);
                    from += b.size();
                }
            }
        }
        if (mode == Mode.EVALUATE) {
            out.add(new Part(total.lossSum(), total.correct(), total.count(), total.confusion()));
        }
        return out.iterator();
    }

    /**
     * Scores a shard with {@code model} (in eval mode): through the frozen backbone's features, which
     * executors cache for run {@code featureRun}, when {@code prefix} is not null; else the whole model.
     */
    static Evaluation score(Module model, Loss loss, Shards.Shard shard, Transform transform, ImageShape shape,
                            Device device, int numClasses, FrozenPrefix prefix, String featureRun, ShardSpec spec,
                            int partitions, int partition) {
        Evaluation total = Evaluation.empty(numClasses);
        int n = shard.data().size();
        if (n == 0) {
            return total;
        }
        if (prefix != null) {
            Module backbone = prefix.backboneModule();
            Features features = ShardFeatures.get(featureRun, spec, partitions, partition, () ->
                    Features.compute(backbone, n, ShardBatches.inOrder(shard, transform, shape, 0, BATCH), device));
            Module head = prefix.headModule();
            for (int from = 0; from < n; from += BATCH) {
                int[] local = IntStream.range(from, Math.min(from + BATCH, n)).toArray();
                total = total.merge(Steps.evaluate(head, loss, features.inputs(local, device),
                        features.labels(local, device), numClasses));
            }
        } else {
            for (Iterator<Batch> it = ShardBatches.inOrder(shard, transform, shape, 0, BATCH); it.hasNext(); ) {
                Batch b = it.next();
                total = total.merge(Steps.evaluate(model, loss, Steps.images(b, device), Steps.labels(b, device),
                        numClasses));
            }
        }
        return total;
    }

    private void predict(Module model, Batch b, int from, Shards.Shard shard, List<Object> out, Device device) {
        try (var off = dev.ember.autograd.GradMode.noGrad()) {
            float[] p = model.forward(Steps.images(b, device)).softmax(1).toFloatArray();
            int k = Math.min(topK, numClasses);
            for (int j = 0; j < b.size(); j++) {
                int[] top = new int[k];
                float[] prob = new float[k];
                boolean[] used = new boolean[numClasses];
                for (int t = 0; t < k; t++) {
                    int best = -1;
                    for (int c = 0; c < numClasses; c++) {
                        if (!used[c] && (best < 0 || p[j * numClasses + c] > p[j * numClasses + best])) {
                            best = c;
                        }
                    }
                    used[best] = true;
                    top[t] = best;
                    prob[t] = p[j * numClasses + best];
                }
                out.add(new Prediction(shard.globalIndex()[from + j], (int) b.labels()[j], top[0], top, prob));
            }
        }
    }
}
