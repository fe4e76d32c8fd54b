package dev.ember.models;

import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.Staged;
import dev.ember.tensor.Tensor;

import java.util.List;

/**
 * LeNet-5 in its common modern form (ReLU and max pooling instead of tanh and subsampling), for
 * C×28×28 (MNIST) or C×32×32 (CIFAR) images. Exact layers, with state keys:
 * <pre>
 * features   = Sequential(
 *   0: Conv2d(C, 6, 5, padding=2 for 28×28 / 0 for 32×32)   features.0.weight [6, C, 5, 5], .bias [6]  → 6×28×28
 *   1: ReLU
 *   2: MaxPool2d(2)                                                                                   → 6×14×14
 *   3: Conv2d(6, 16, 5)                                     features.3.weight [16, 6, 5, 5], .bias [16] → 16×10×10
 *   4: ReLU
 *   5: MaxPool2d(2))                                                                                  → 16×5×5
 * flatten                                                                                             → 400
 * classifier = Sequential(
 *   0: Linear(400, 120)   1: ReLU   2: Linear(120, 84)   3: ReLU   4: Linear(84, numClasses))
 * </pre>
 * PyTorch's default init for every layer.
 */
public final class LeNet5 extends Module implements Staged {
    private final Flatten flatten = new Flatten();

    /** @param inputSize 28 (the first conv pads by 2) or 32 (no padding) */
    public LeNet5(int numClasses, int inChannels, int inputSize) {
        if (inputSize != 28 && inputSize != 32) {
            throw new IllegalArgumentException("LeNet5 takes 28×28 or 32×32 images, got inputSize " + inputSize);
        }
        if (numClasses <= 0 || inChannels <= 0) {
            throw new IllegalArgumentException("LeNet5: numClasses and inChannels must be positive, got "
                    + numClasses + " and " + inChannels);
        }
        registerModule("features", new Sequential(
                Conv2d.builder(inChannels, 6, 5).padding(inputSize == 28 ? 2 : 0).build(),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(6, 16, 5),
                new ReLU(),
                new MaxPool2d(2)));
        registerModule("classifier", new Sequential(
                new Linear(16 * 5 * 5, 120),
                new ReLU(),
                new Linear(120, 84),
                new ReLU(),
                new Linear(84, numClasses)));
    }

    /** 1×28×28 input, 10 classes. */
    public static LeNet5 mnist() {
        return new LeNet5(10, 1, 28);
    }

    /** 3×32×32 input, 10 classes. */
    public static LeNet5 cifar10() {
        return new LeNet5(10, 3, 32);
    }

    /** features, flatten, classifier (flatten is no registered module: it has no state). */
    @Override
    public List<Stage> stages() {
        return List.of(new Stage("features", child("features")), new Stage("flatten", flatten),
                new Stage("classifier", child("classifier")));
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("classifier").forward(flatten.forward(child("features").forward(x)));
    }
}
