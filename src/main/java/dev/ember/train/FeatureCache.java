package dev.ember.train;

import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.Prefetcher;
import dev.ember.nn.Module;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Training only a model's head, on its frozen backbone's {@link Features}, computed once per data
 * loader on first use. Equal to training the whole model: the backbone gives every sample the same
 * output in every epoch ({@link FrozenPrefix}) and the loader's pixels do not change between epochs
 * (no random transform), so only the order of the samples changes, and batches gather the cached
 * rows in the order the loader would deliver the images.
 */
public final class FeatureCache {
    private final FrozenPrefix prefix;
    private final Module backbone;
    private final Module head;
    private final Device device;
    private final Map<DataLoader, Features> byLoader = new IdentityHashMap<>();

    public FeatureCache(FrozenPrefix prefix, Device device) {
        if (!prefix.isUseful()) {
            throw new IllegalArgumentException("no frozen backbone to cache: " + prefix.whyNot());
        }
        this.prefix = prefix;
        this.backbone = prefix.backboneModule();
        this.head = prefix.headModule();
        this.device = device;
    }

    public FrozenPrefix prefix() {
        return prefix;
    }

    /** What runs on the cached features: the model's own layers after the backbone. */
    public Module head() {
        return head;
    }

    /** The backbone's output for every image of {@code loader}, computed on the first call for that loader. */
    public Features of(DataLoader loader) {
        if (loader.augments()) {
            throw new IllegalArgumentException("cannot cache features of a loader with a random transform: its "
                    + "images change every epoch");
        }
        return byLoader.computeIfAbsent(loader, l -> {
            try (Prefetcher<Batch> batches = new Prefetcher<>(inOrder(l), 2)) {
                return Features.compute(backbone, l.size(), batches, device);
            }
        });
    }

    /** Every image of the loader once, in index order, in batches of its batch size. */
    private static Iterator<Batch> inOrder(DataLoader loader) {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < loader.size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int[] indices = new int[Math.min(loader.batchSize(), loader.size() - next)];
                for (int k = 0; k < indices.length; k++) {
                    indices[k] = next + k;
                }
                next += indices.length;
                return loader.batch(indices, 0);
            }
        };
    }
}
