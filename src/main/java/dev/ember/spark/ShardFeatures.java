package dev.ember.spark;

import dev.ember.train.Features;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The executor JVM's cache of a frozen backbone's {@link Features} of its partitions, beside their
 * decoded images in {@link Shards}: the first training (or validation) task of a run computes a
 * partition's features, the later epochs' tasks find them. Keyed by run id (the backbone is fixed
 * for a run), set, partition count and partition; least recently used entries beyond
 * {@link #MAX_ENTRIES} are dropped.
 */
final class ShardFeatures {
    static final int MAX_ENTRIES = 16;

    private static final Map<String, Features> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Features> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private ShardFeatures() {
    }

    static Features get(String runId, ShardSpec spec, int partitions, int partition, Supplier<Features> compute) {
        String key = runId + "|" + spec.cacheKey() + "|" + partitions + "|" + partition;
        synchronized (CACHE) {
            Features f = CACHE.get(key);
            if (f != null) {
                return f;
            }
        }
        Features f = compute.get();
        synchronized (CACHE) {
            CACHE.put(key, f);
        }
        return f;
    }
}
