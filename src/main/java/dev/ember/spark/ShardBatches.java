package dev.ember.spark;

import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageShape;
import dev.ember.data.transforms.Transform;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * A shard's images in local order, in batches, through a deterministic pipeline: what validation
 * scores and what a frozen backbone's features are computed from. Each image's transform is seeded
 * by its global index (as {@link DataLoader} does), at epoch 0.
 */
final class ShardBatches {
    private ShardBatches() {
    }

    static Iterator<Batch> inOrder(Shards.Shard shard, Transform transform, ImageShape shape, long seed, int batchSize) {
        int n = shard.data().size();
        return new Iterator<>() {
            private int from;

            @Override
            public boolean hasNext() {
                return from < n;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int count = Math.min(batchSize, n - from);
                Batch b = of(shard, IntStream.range(from, from + count).toArray(), transform, shape, seed, 0);
                from += count;
                return b;
            }
        };
    }

    /** The shard's images {@code rows} (local indices), each transformed as in {@code epoch}, seeded by its global index. */
    static Batch of(Shards.Shard shard, int[] rows, Transform transform, ImageShape shape, long seed, int epoch) {
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
}
