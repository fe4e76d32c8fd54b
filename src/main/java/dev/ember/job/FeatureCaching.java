package dev.ember.job;

import dev.ember.core.Device;
import dev.ember.data.DataLoader;
import dev.ember.nn.Module;
import dev.ember.train.FeatureCache;
import dev.ember.train.Features;
import dev.ember.train.FrozenPrefix;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Whether a job trains its head on cached features of its frozen backbone ({@code feature_cache},
 * default true): only when the model starts with frozen stages that give a sample the same output
 * every epoch ({@link FrozenPrefix}) and the training pipeline is not random ({@code augment}). A job
 * that freezes anything gets one console line saying whether, and if not, why. Both engines (and
 * Spark executors, quietly) decide here.
 */
public final class FeatureCaching {
    private FeatureCaching() {
    }

    /**
     * The backbone whose features the job caches, or null when every step runs the whole model; then,
     * if the model has frozen parameters, {@code console} (when not null) is told why.
     */
    public static FrozenPrefix plan(JobConfig job, Module model, boolean augments, PrintStream console) {
        if (model.trainableParameters().size() == model.parameters().size()) {
            return null;
        }
        FrozenPrefix prefix = FrozenPrefix.of(model);
        String off = !job.flag(JobKey.FEATURE_CACHE) ? "feature_cache = false"
                : !prefix.isUseful() ? prefix.whyNot()
                : augments ? "augment = true changes the training images every epoch"
                : null;
        if (off == null) {
            return prefix;
        }
        if (console != null) {
            console.println("feature cache: off (" + off + "); every step runs the whole model");
        }
        return null;
    }

    /** In-process: the cache to train with, its features computed now for both loaders; null to run the whole model. */
    static FeatureCache compute(JobConfig job, Module model, DataLoader train, DataLoader validation, Device device,
                                PrintStream console) {
        FrozenPrefix prefix = plan(job, model, train.augments(), console);
        if (prefix == null) {
            return null;
        }
        long start = System.nanoTime();
        FeatureCache cache = new FeatureCache(prefix, device);
        Features trainFeatures = cache.of(train);
        Features valFeatures = cache.of(validation);
        console.printf(Locale.ROOT, "feature cache: %s computed once for %d train + %d validation images in %.1f s "
                        + "(%s floats each); epochs train %s only%n", FrozenPrefix.span(prefix.backbone()),
                trainFeatures.size(), valFeatures.size(), (System.nanoTime() - start) / 1e9,
                shape(trainFeatures.sampleShape()), FrozenPrefix.span(prefix.head()));
        return cache;
    }

    /** A sample shape as {@code 84} or {@code 16x5x5}. */
    private static String shape(int[] sampleShape) {
        StringBuilder sb = new StringBuilder();
        for (int d : sampleShape) {
            sb.append(sb.length() == 0 ? "" : "x").append(d);
        }
        return sb.toString();
    }
}
