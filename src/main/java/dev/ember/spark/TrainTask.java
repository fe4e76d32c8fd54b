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
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.train.Features;
import dev.ember.train.FrozenPrefix;
import dev.ember.train.Steps;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One task of a run's training stage (a barrier stage that lives for all of the run's epochs): loads
 * (or finds cached) its partitions of the training and validation sets, builds the model from the
 * job with the driver's initial state dict (broadcast: frozen weights and buffers) and freezes the
 * job's paths, links to the driver's {@link GradientServer} ({@link TaskLink}) and does what the
 * driver asks until it says {@link TaskLink#FINISH}:
 * <ul>
 * <li>step s of epoch e (with the weights and buffers, {@link Flat}): the mean-loss gradient over the
 * rows of global batch {@code perm_e[s·B .. (s+1)·B)} it holds, sent with its buffers, the row count
 * and the summed loss (the driver weights each task's vector by its count);</li>
 * <li>{@link TaskLink#EVALUATE}: the scores of its validation shard with the given weights.</li>
 * </ul>
 * When the job caches features ({@link FeatureCaching}), the task computes its shards' frozen-backbone
 * features once ({@link ShardFeatures}) and runs only the head on them. Only plain values are
 * captured: host, port, run id, the job's keys, the shard specs and the broadcast's handle.
 */
final class TrainTask implements FlatMapFunction<Iterator<StageInput>, String> {
    private final String host;
    private final int port;
    private final String runId;
    private final int partitions;
    private final String jobSource;
    private final Map<String, String> job;
    private final ShardSpec spec;
    private final ShardSpec validationSpec;
    private final int[] inputShape;
    private final int numClasses;
    private final Broadcast<byte[]> initial;

    TrainTask(String host, int port, String runId, int partitions, String jobSource, Map<String, String> job,
              ShardSpec spec, ShardSpec validationSpec, ImageShape inputShape, int numClasses, Broadcast<byte[]> initial) {
        this.host = host;
        this.port = port;
        this.runId = runId;
        this.partitions = partitions;
        this.jobSource = jobSource;
        this.job = new java.util.LinkedHashMap<>(job);
        this.spec = spec;
        this.validationSpec = validationSpec;
        this.inputShape = new int[] {inputShape.channels(), inputShape.height(), inputShape.width()};
        this.numClasses = numClasses;
        this.initial = initial;
    }

    @Override
    public Iterator<String> call(Iterator<StageInput> input) throws Exception {
        TaskContext ctx = TaskContext.get();
        BlasThreads.set(ctx.cpus());  // the task owns spark.task.cpus cores; tasks share the executor's BLAS
        int partition = ctx.partitionId();
        StageInput.Split rows = new StageInput.Split(input);
        Shards.Shard shard = Shards.get(spec, partitions, partition, rows.training());
        Shards.Shard validation = Shards.get(validationSpec, partitions, partition, rows.validation());
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
        int channels = channels(shard, validation);
        Transform transform = Pipelines.transform(config, channels, true);
        Transform validationTransform = Pipelines.transform(config, channels, false);
        FrozenPrefix prefix = FeatureCaching.plan(config, model, transform.isRandom(), null);
        double[] featureSeconds = {0};
        Features features = prefix == null || shard.data().size() == 0 ? null
                : ShardFeatures.get(runId, spec, partitions, partition, () -> {
                    long start = System.nanoTime();
                    Features f = Features.compute(prefix.backboneModule(), shard.data().size(),
                            ShardBatches.inOrder(shard, transform, shape, seed, batchSize), device);
                    featureSeconds[0] = (System.nanoTime() - start) / 1e9;
                    return f;
                });
        Module trained = features != null ? prefix.headModule() : model;
        StepInputs inputs = new StepInputs(shard, features, transform, shape, seed, batchSize, spec.size(),
                shard.localOf(spec.size()), device);
        int computed = 0;
        boolean inMemory = config.string(dev.ember.job.JobKey.EXCHANGE).equals("auto");
        try (TaskLink link = TaskLink.open(host, port, runId, partition, ctx.stageAttemptNumber(), inMemory,
                ctx::isInterrupted)) {
            for (TaskLink.State state = link.receive(); state.step() != TaskLink.FINISH; state = link.receive()) {
                int epoch = state.epoch();
                Flat.setWeights(model, state.weights());
                if (state.step() == TaskLink.EVALUATE) {
                    model.eval();
                    link.sendScores(epoch, EvalTask.score(model, loss, validation, validationTransform, shape, device,
                            numClasses, prefix, runId, validationSpec, partitions, partition));
                    model.train();
                    continue;
                }
                StepInputs.Prepared in = inputs.get(epoch, state.step());
                if (in.count() == 0) {
                    link.send(epoch, state.step(), 0, 0, new float[0]);
                } else {
                    double meanLoss = Steps.gradients(trained, loss, in.images(), in.labels());
                    link.send(epoch, state.step(), in.count(), meanLoss * in.count(), Flat.gradients(model));
                    computed++;
                }
                inputs.prefetch(epoch, state.step());
            }
        }
        String cache = features == null ? "" : featureSeconds[0] > 0 ? String.format(Locale.ROOT,
                "; %s computed in %.2f s", FrozenPrefix.span(prefix.backbone()), featureSeconds[0]) : "; features cached";
        return List.of("partition " + partition + ": " + shard.data().size() + " images, " + computed + " steps on "
                + GpuPlacement.hostName() + ": " + placed.line() + cache).iterator();
    }

    /** The images' channels as stored (the transforms may convert them); any value when both shards are empty. */
    private static int channels(Shards.Shard... shards) {
        for (Shards.Shard s : shards) {
            if (s.data().size() > 0) {
                return s.data().shape(0).channels();
            }
        }
        return 1;
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
