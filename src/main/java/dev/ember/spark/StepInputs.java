package dev.ember.spark;

import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageShape;
import dev.ember.data.transforms.Transform;
import dev.ember.tensor.Tensor;
import dev.ember.train.Features;
import dev.ember.train.Steps;

import java.util.stream.IntStream;

/** This task's rows of each global batch as input tensors, prepared one step ahead. */
final class StepInputs {
    /** A step's inputs: {@code count} rows (none: this shard holds no row of the batch). */
    record Prepared(int epoch, int step, int count, Tensor images, Tensor labels) {
    }

    private final Shards.Shard shard;
    private final Features features;
    private final Transform transform;
    private final ImageShape shape;
    private final long seed;
    private final int batchSize;
    private final int size;
    private final int[] local;
    private final Device device;
    private int permEpoch = -1;
    private int[] perm;
    private Prepared ahead;

    /**
     * @param features the frozen backbone's outputs of the shard (null: run the whole model on images)
     * @param size the training set's size; {@code local[i]} is global row i's index in the shard, or -1
     */
    StepInputs(Shards.Shard shard, Features features, Transform transform, ImageShape shape, long seed,
               int batchSize, int size, int[] local, Device device) {
        this.shard = shard;
        this.features = features;
        this.transform = transform;
        this.shape = shape;
        this.seed = seed;
        this.batchSize = batchSize;
        this.size = size;
        this.local = local;
        this.device = device;
    }

    Prepared get(int epoch, int step) {
        Prepared p = ahead;
        ahead = null;
        return p != null && p.epoch() == epoch && p.step() == step ? p : prepare(epoch, step);
    }

    /** Prepares the epoch's next step, while the driver applies this one (the task would only wait). */
    void prefetch(int epoch, int step) {
        if ((step + 1L) * batchSize < size) {
            ahead = prepare(epoch, step + 1);
        }
    }

    /** Rows {@code perm_epoch[step·B .. (step+1)·B)} held here, images transformed as in {@code epoch}. */
    private Prepared prepare(int epoch, int step) {
        if (epoch != permEpoch) {
            perm = DataLoader.permutation(size, seed, epoch);
            permEpoch = epoch;
        }
        int from = step * batchSize;
        int[] rows = IntStream.range(from, Math.min(from + batchSize, size)).map(k -> local[perm[k]])
                .filter(i -> i >= 0).toArray();
        if (rows.length == 0) {
            return new Prepared(epoch, step, 0, null, null);
        }
        if (features != null) {
            return new Prepared(epoch, step, rows.length, features.inputs(rows, device), features.labels(rows, device));
        }
        Batch b = ShardBatches.of(shard, rows, transform, shape, seed, epoch);
        return new Prepared(epoch, step, rows.length, Steps.images(b, device), Steps.labels(b, device));
    }
}
