package dev.ember.spark;

import dev.ember.data.InMemoryImageDataset;
import dev.ember.spark.data.SparkImageRows;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor JVM's cache of decoded partitions, keyed by dataset, partition count and partition:
 * the first epoch decodes a partition's rows once; later epochs (and validations) find it here and
 * never touch Parquet or the shuffle again. Least recently used entries beyond {@link #MAX_ENTRIES}
 * are dropped.
 */
final class Shards {
    static final int MAX_ENTRIES = 64;

    /** One partition's images, and each image's global index in its set. */
    record Shard(InMemoryImageDataset data, int[] globalIndex) {
        /** {@code local[g]} = the position of global image g in this shard, or -1. */
        int[] localOf(int globalSize) {
            int[] local = new int[globalSize];
            Arrays.fill(local, -1);
            for (int i = 0; i < globalIndex.length; i++) {
                local[globalIndex[i]] = i;
            }
            return local;
        }
    }

    private static final Map<String, Shard> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Shard> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private Shards() {
    }

    static Shard get(ShardSpec spec, int partitions, int partition, Iterator<Row> rows) {
        String key = spec.cacheKey() + "|" + partitions + "|" + partition;
        synchronized (CACHE) {
            Shard s = CACHE.get(key);
            if (s != null) {
                return s;
            }
        }
        Shard s = load(spec, rows);
        synchronized (CACHE) {
            CACHE.put(key, s);
        }
        return s;
    }

    static Shard load(ShardSpec spec, Iterator<Row> rows) {
        List<Row> kept = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            int g = spec.globalIndex(r);
            if (g >= 0) {
                kept.add(r);
                index.add(g);
            }
        }
        InMemoryImageDataset data = SparkImageRows.toDataset(kept.iterator(), spec.classNames());
        return new Shard(data, index.stream().mapToInt(Integer::intValue).toArray());
    }

    /** For tests: forget everything. */
    static void clear() {
        synchronized (CACHE) {
            CACHE.clear();
        }
    }
}
