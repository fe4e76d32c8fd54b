package dev.ember.spark;

import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageShape;
import dev.ember.data.transforms.Transform;

import java.util.Iterator;
import java.util.NoSuchElementException;

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
        int numel = shape.numel();
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
                float[] images = new float[count * numel];
                long[] labels = new long[count];
                for (int j = 0; j < count; j++) {
                    labels[j] = shard.data().label(from + j);
                    DataLoader.readSample(shard.data(), from + j, shard.globalIndex()[from + j], transform, shape, seed,
                            0, images, j * numel);
                }
                from += count;
                return new Batch(images, labels, shape);
            }
        };
    }
}
