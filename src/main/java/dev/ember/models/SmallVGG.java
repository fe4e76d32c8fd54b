package dev.ember.models;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.Staged;
import dev.ember.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A small VGG-style CNN for small images (e.g. 3×32×32): stages of 3×3 convolutions (padding 1,
 * optionally followed by BatchNorm) with ReLU, each stage ending in a 2×2 max pool, then a global
 * average pool and a two-layer classifier. Laid out as torchvision's VGG ({@code features},
 * {@code avgpool}, {@code classifier}), but with a 1×1 pool and a small head, so its weights are not
 * torchvision's vgg11 ones.
 * <p>{@link #small(int, int)}: {@code features} = [conv 32, bn, relu, conv 32, bn, relu, pool,
 * conv 64, bn, relu, conv 64, bn, relu, pool, conv 128, bn, relu, conv 128, bn, relu, pool];
 * {@code classifier} = [Linear(128, 256), ReLU, Dropout(0.5), Linear(256, numClasses)].
 */
public final class SmallVGG extends Module implements Staged {
    /** In a config, this entry stands for a 2×2 max pool; the others are conv widths. */
    public static final int M = -1;

    private final int[] config;
    private final Flatten flatten = new Flatten();

    /**
     * @param config conv widths and {@link #M} for pools, e.g. {@code {32, 32, M, 64, 64, M}}
     * @param pooled side of the adaptive average pool before the classifier: 1 averages each map to one
     *               value; the map's own side (7 for 28×28 input after two pools) keeps every position
     * @param hidden width of the classifier's hidden layer
     */
    public SmallVGG(int[] config, boolean batchNorm, int pooled, int hidden, double dropout, int numClasses,
                    int inChannels) {
        if (numClasses <= 0 || inChannels <= 0 || hidden <= 0 || pooled <= 0) {
            throw new IllegalArgumentException("SmallVGG: numClasses, inChannels, pooled and hidden must be positive");
        }
        this.config = config.clone();
        Sequential features = new Sequential();
        int channels = inChannels;
        boolean anyConv = false;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2));
            } else if (v > 0) {
                features.add(Conv2d.builder(channels, v, 3).padding(1).build());
                if (batchNorm) {
                    features.add(new BatchNorm2d(v));
                }
                features.add(new ReLU());
                channels = v;
                anyConv = true;
            } else {
                throw new IllegalArgumentException("SmallVGG config entries are widths > 0 or M, got "
                        + Arrays.toString(config));
            }
        }
        if (!anyConv) {
            throw new IllegalArgumentException("SmallVGG config has no convolution: " + Arrays.toString(config));
        }
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(pooled, pooled));
        registerModule("classifier", new Sequential(
                new Linear(channels * pooled * pooled, hidden),
                new ReLU(),
                new Dropout(dropout),
                new Linear(hidden, numClasses)));
    }

    /** Three stages of two convs (32, 64, 128) with BatchNorm, hidden 256, dropout 0.5. */
    public static SmallVGG small(int numClasses, int inChannels) {
        return new SmallVGG(new int[] {32, 32, M, 64, 64, M, 128, 128, M}, true, 1, 256, 0.5, numClasses, inChannels);
    }

    public int[] config() {
        return config.clone();
    }

    /** features, avgpool, flatten, classifier (flatten is no registered module: it has no state). */
    @Override
    public List<Stage> stages() {
        return List.of(new Stage("features", child("features")), new Stage("avgpool", child("avgpool")),
                new Stage("flatten", flatten), new Stage("classifier", child("classifier")));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor f = child("avgpool").forward(child("features").forward(x));
        return child("classifier").forward(flatten.forward(f));
    }
}
