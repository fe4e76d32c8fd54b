package dev.ember.job;

import dev.ember.data.DataLoader;
import dev.ember.data.ImageDataset;
import dev.ember.data.transforms.Compose;
import dev.ember.data.transforms.Normalize;
import dev.ember.data.transforms.RandomHorizontalFlip;
import dev.ember.data.transforms.RandomRotation;
import dev.ember.data.transforms.Resize;
import dev.ember.data.transforms.Transform;

import java.util.ArrayList;
import java.util.List;

/**
 * The train and validation pipelines of a job, configured separately as in the lesson: both resize
 * (if asked) and normalise; only training shuffles and, with {@code augment}, flips and rotates.
 */
public final class Pipelines {
    private Pipelines() {
    }

    public static DataLoader train(JobConfig job, ImageDataset data) {
        return DataLoader.builder(data).batchSize(job.integer(JobKey.BATCH_SIZE)).shuffle(true)
                .seed(job.integer(JobKey.SEED)).transform(transform(job, data, true)).build();
    }

    public static DataLoader validation(JobConfig job, ImageDataset data) {
        return DataLoader.builder(data).batchSize(Math.max(job.integer(JobKey.BATCH_SIZE), 256)).shuffle(false)
                .transform(transform(job, data, false)).build();
    }

    /** Resize, then (training only) augmentation, then normalisation; images arrive as pixel/255. */
    public static Transform transform(JobConfig job, ImageDataset data, boolean training) {
        return transform(job, data.shape(0).channels(), training);
    }

    /** The same pipeline for images of {@code channels} channels (Spark executors, which hold one shard). */
    public static Transform transform(JobConfig job, int channels, boolean training) {
        List<Transform> steps = new ArrayList<>();
        int size = job.integer(JobKey.RESIZE);
        if (size > 0) {
            steps.add(new Resize(size, size));
        }
        if (training && job.flag(JobKey.AUGMENT)) {
            steps.add(new RandomHorizontalFlip());
            steps.add(new RandomRotation(10));
        }
        steps.add(new Normalize(perChannel(job, JobKey.NORMALIZE_MEAN, channels),
                perChannel(job, JobKey.NORMALIZE_STD, channels)));
        return new Compose(steps);
    }

    /** One value per channel of {@code key} (normalize_mean or normalize_std); a single value applies to all. */
    public static float[] perChannel(JobConfig job, JobKey key, int channels) {
        List<String> values = job.list(key);
        if (values.size() != 1 && values.size() != channels) {
            throw new JobConfigException(job.source() + ": " + key.key() + ": expected 1 or " + channels
                    + " values (one per channel), got " + values.size());
        }
        float[] out = new float[channels];
        for (int c = 0; c < channels; c++) {
            String v = values.get(values.size() == 1 ? 0 : c);
            try {
                out[c] = Float.parseFloat(v);
            } catch (NumberFormatException e) {
                throw new JobConfigException(job.source() + ": " + key.key() + ": expected numbers, got '" + v + "'");
            }
        }
        return out;
    }
}
