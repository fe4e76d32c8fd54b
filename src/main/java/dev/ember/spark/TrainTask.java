package dev.ember.spark;

import dev.ember.backend.cpu.BlasThreads;
import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageShape;
import dev.ember.data.transforms.Transform;
import dev.ember.io.SafeTensors;
import dev.ember.job.FeatureCaching;
import dev.ember.job.JobConfig;
import dev.ember.job.LocalTraining;
import dev.ember.job.Models;
import dev.ember.job.Pipelines;
import dev.ember.job.Transfer;
import dev.ember.loss.Loss;
import dev.ember.nn.Module;
import dev.ember.tensor.random.Generator;
import dev.ember.train.Features;
import dev.ember.train.FrozenPrefix;
import dev.ember.train.Steps;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One training task of an epoch's barrier stage: loads (or finds cached) its partition, builds the
 * model from the job with the driver's initial state dict (broadcast: frozen weights and buffers)
 * and freezes the job's paths, links to the driver's {@link GradientServer} ({@link TaskLink}) and, for
 * every step the driver announces (with its weights and buffers, {@link Flat}), computes the
 * <em>sum</em> of per-sample gradients over the rows of global batch {@code perm[step·B .. (step+1)·B)}
 * it holds (mean-loss gradient × local count), sending it, its buffers × count, the count and the
 * summed loss. When the job caches features ({@link FeatureCaching}), the first epoch's
 * task computes its partition's frozen-backbone features ({@link ShardFeatures}) and every step runs
 * only the head on them. Only plain values are captured: host, port, run id, the job's keys,
 * and the broadcast's handle.
 */
final class TrainTask implements FlatMapFunction<Iterator<Row>, String> {
    private final String host;
    private final int port;
    private final String runId;
    private final int epoch;
    private final int partitions;
    private final String jobSource;
    private final Map<String, String> job;
    private final ShardSpec spec;
    private final int[] inputShape;
    private final int numClasses;
    private final int steps;
    private final Broadcast<byte[]> initial;

    TrainTask(String host, int port, String runId, int epoch, int partitions, String jobSource, Map<String, String> job,
              ShardSpec spec, ImageShape inputShape, int numClasses, int steps, Broadcast<byte[]> initial) {
        this.host = host;
        this.port = port;
        this.runId = runId;
        this.epoch = epoch;
        this.partitions = partitions;
        this.jobSource = jobSource;
        this.job = new java.util.LinkedHashMap<>(job);
        this.spec = spec;
        this.inputShape = new int[] {inputShape.channels(), inputShape.height(), inputShape.width()};
        this.numClasses = numClasses;
        this.steps = steps;
        this.initial = initial;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws Exception {
        TaskContext ctx = TaskContext.get();
        BlasThreads.set(ctx.cpus());  // the task owns spark.task.cpus cores; tasks share the executor's BLAS
        int partition = ctx.partitionId();
        Shards.Shard shard = Shards.get(spec, partitions, partition, rows);
        JobConfig config = JobConfig.fromEffective(jobSource, job);
        ImageShape shape = new ImageShape(inputShape[0], inputShape[1], inputShape[2]);
        GpuPlacement.Choice placed = GpuPlacement.forTask(config.string(dev.ember.job.JobKey.DEVICE),
                config.flag(dev.ember.job.JobKey.GPU_FALLBACK));
        Device device = placed.device();
        Module model = createModel(config, shape, numClasses);
        model.loadStateDict(SafeTensors.read(initial.value(), "the driver's state dict").tensors(), true);
        Transfer.freeze(config, model);
        model.to(device).train();
        Loss loss = LocalTraining.loss(config);
        long seed = config.integer(dev.ember.job.JobKey.SEED);
        int batchSize = config.integer(dev.ember.job.JobKey.BATCH_SIZE);
        Transform transform = shard.data().size() == 0 ? null
                : Pipelines.transform(config, shard.data().shape(0).channels(), true);
        int[] perm = DataLoader.permutation(spec.size(), seed, epoch);
        int[] local = shard.localOf(spec.size());
        FrozenPrefix prefix = transform == null ? null : FeatureCaching.plan(config, model, transform.isRandom(), null);
        double[] featureSeconds = {0};
        Features features = prefix == null ? null : ShardFeatures.get(runId, spec, partitions, partition, () -> {
            long start = System.nanoTime();
            Features f = Features.compute(prefix.backboneModule(), shard.data().size(),
                    ShardBatches.inOrder(shard, transform, shape, seed, batchSize), device);
            featureSeconds[0] = (System.nanoTime() - start) / 1e9;
            return f;
        });
        Module head = prefix == null ? null : prefix.headModule();
        int computed = 0;
        boolean inMemory = config.string(dev.ember.job.JobKey.EXCHANGE).equals("auto");
        try (TaskLink link = TaskLink.open(host, port, runId, epoch, partition, ctx.stageAttemptNumber(), inMemory,
                ctx::isInterrupted)) {
            while (true) {
                TaskLink.State state = link.receive();
                int step = state.step();
                if (step >= steps) {
                    break;
                }
                Flat.setWeights(model, state.weights());
                int from = step * batchSize;
                int[] mine = IntStream.range(from, Math.min(from + batchSize, perm.length)).map(k -> local[perm[k]])
                        .filter(i -> i >= 0).toArray();
                int count = mine.length;
                if (count == 0) {
                    link.send(step, 0, 0, new float[0]);
                    continue;
                }
                double meanLoss;
                if (features != null) {
                    meanLoss = Steps.gradients(head, loss, features.inputs(mine, device), features.labels(mine, device));
                } else {
                    Batch b = batch(shard, mine, transform, shape, seed);
                    meanLoss = Steps.gradients(model, loss, Steps.images(b, device), Steps.labels(b, device));
                }
                link.send(step, count, meanLoss * count, Flat.gradients(model, count));
                computed++;
            }
        }
        String cache = features == null ? "" : featureSeconds[0] > 0 ? String.format(Locale.ROOT,
                "; %s computed in %.2f s", FrozenPrefix.span(prefix.backbone()), featureSeconds[0]) : "; features cached";
        return List.of("partition " + partition + ": " + shard.data().size() + " images, " + computed + " steps on "
                + GpuPlacement.hostName() + ": " + placed.line() + cache).iterator();
    }

    /** The shard's images {@code rows} (local indices), each transformed as in this epoch (seeded by its global index). */
    private Batch batch(Shards.Shard shard, int[] rows, Transform transform, ImageShape shape, long seed) {
        int numel = shape.numel();
        float[] images = new float[rows.length * numel];
        long[] labels = new long[rows.length];
        for (int j = 0; j < rows.length; j++) {
            labels[j] = shard.data().label(rows[j]);
            DataLoader.readSample(shard.data(), rows[j], shard.globalIndex()[rows[j]], transform, shape, seed, epoch,
                    images, j * numel);
        }
        return new Batch(images, labels, shape);
    }

    /**
     * Builds the job's model without disturbing the global generator: in local mode executors share
     * the driver's JVM, whose RNG state goes into checkpoints. The initial values do not matter, the
     * driver's weights replace them before the first step.
     */
    static Module createModel(JobConfig config, ImageShape shape, int numClasses) {
        synchronized (Generator.class) {
            byte[] state = Generator.global().getState();
            try {
                return Models.create(config, shape, numClasses);
            } finally {
                Generator.global().setState(state);
            }
        }
    }
}
