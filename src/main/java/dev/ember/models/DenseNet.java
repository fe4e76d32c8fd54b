package dev.ember.models;

import dev.ember.nn.AvgPool2d;
import dev.ember.nn.BatchNorm;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.init.Init;
import dev.ember.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's DenseNet-BC with its exact attribute names, so a torchvision {@code state_dict()}
 * loads as it is:
 * <pre>
 * features = (conv0: 7×7 stride 2 pad 3, no bias; norm0; relu0; pool0: max 3 stride 2 pad 1;
 *             denseblock1; transition1; denseblock2; transition2; …; denseblockK; norm5)
 *   denseblockI.denselayerJ = (norm1, relu1, conv1: 1×1 → bn_size·growth, norm2, relu2,
 *                              conv2: 3×3 pad 1 → growth); each layer sees the concatenation of the
 *                              block input and all earlier layers' outputs
 *   transitionI = (norm, relu, conv: 1×1 → half the channels, pool: avg 2 stride 2)
 * then relu, adaptive average pool to 1×1, flatten, classifier (Linear).
 * </pre>
 * Initialised as torchvision does, in its order of draws: default init while building, then every
 * conv {@code kaiming_normal_} (fan_in, relu — torchvision's DenseNet uses the default mode, not
 * ResNet's fan_out), BatchNorm weight 1 / bias 0, the classifier's bias 0.
 */
public final class DenseNet extends Module {
    private final int numFeatures;

    /**
     * @param growthRate channels each dense layer adds (32 for DenseNet-121)
     * @param blockConfig layers per dense block (6, 12, 24, 16 for DenseNet-121)
     * @param numInitFeatures conv0's width (64)
     * @param bnSize bottleneck factor: conv1 has bnSize·growthRate channels (4)
     * @param dropRate dropout after each dense layer (0: none, as torchvision's default)
     */
    public DenseNet(int growthRate, int[] blockConfig, int numInitFeatures, int bnSize, double dropRate,
                    int numClasses, int inChannels) {
        if (growthRate <= 0 || numInitFeatures <= 0 || bnSize <= 0 || numClasses <= 0 || inChannels <= 0
                || blockConfig.length == 0 || Arrays.stream(blockConfig).anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("DenseNet: sizes must be positive, got growth " + growthRate + ", blocks "
                    + Arrays.toString(blockConfig) + ", init features " + numInitFeatures + ", bn_size " + bnSize
                    + ", classes " + numClasses + ", in channels " + inChannels);
        }
        NamedSequential features = new NamedSequential()
                .add("conv0", Conv2d.builder(inChannels, numInitFeatures, 7).stride(2).padding(3).bias(false).build())
                .add("norm0", new BatchNorm2d(numInitFeatures))
                .add("relu0", new ReLU())
                .add("pool0", new MaxPool2d(3, 2, 1));
        int channels = numInitFeatures;
        for (int i = 0; i < blockConfig.length; i++) {
            features.add("denseblock" + (i + 1), new DenseBlock(blockConfig[i], channels, bnSize, growthRate, dropRate));
            channels += blockConfig[i] * growthRate;
            if (i != blockConfig.length - 1) {
                features.add("transition" + (i + 1), new Transition(channels, channels / 2));
                channels /= 2;
            }
        }
        features.add("norm5", new BatchNorm2d(channels));
        registerModule("features", features);
        registerModule("classifier", new Linear(channels, numClasses));
        this.numFeatures = channels;
        for (Module m : namedModules().values()) {
            if (m instanceof Conv2d conv) {
                Init.kaimingNormal(conv.weight());
            } else if (m instanceof BatchNorm bn) {
                Init.constant(bn.namedParameters().get("weight"), 1);
                Init.constant(bn.namedParameters().get("bias"), 0);
            } else if (m instanceof Linear linear && linear.bias() != null) {
                Init.constant(linear.bias(), 0);
            }
        }
    }

    /** DenseNet-121: growth 32, blocks (6, 12, 24, 16), 64 initial features, bn_size 4; 1024 features; 727 state keys. */
    public static DenseNet densenet121(int numClasses, int inChannels) {
        return new DenseNet(32, new int[] {6, 12, 24, 16}, 64, 4, 0, numClasses, inChannels);
    }

    /** Width of the classifier's input (1024 for DenseNet-121), for building a replacement head. */
    public int featureWidth() {
        return numFeatures;
    }

    /** features, then relu and the global average pool, flattened: [N, featureWidth()]. */
    public Tensor forwardFeatures(Tensor x) {
        return child("features").forward(x).relu().mean(new int[] {2, 3}, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("classifier").forward(forwardFeatures(x));
    }

    /** {@code _DenseLayer}: BN-ReLU-conv1×1 bottleneck, then BN-ReLU-conv3×3 to {@code growthRate} channels. */
    public static final class DenseLayer extends Module {
        private final double dropRate;

        public DenseLayer(int inputFeatures, int growthRate, int bnSize, double dropRate) {
            this.dropRate = dropRate;
            registerModule("norm1", new BatchNorm2d(inputFeatures));
            registerModule("relu1", new ReLU());
            registerModule("conv1", BasicBlock.conv1x1(inputFeatures, bnSize * growthRate, 1));
            registerModule("norm2", new BatchNorm2d(bnSize * growthRate));
            registerModule("relu2", new ReLU());
            registerModule("conv2", ResNet.conv3x3(bnSize * growthRate, growthRate, 1));
        }

        @Override
        public boolean isDeterministicPerSample() {
            return dropRate == 0;
        }

        /** The new features for {@code x}, the concatenation of all earlier features. */
        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("conv1").forward(child("relu1").forward(child("norm1").forward(x)));
            y = child("conv2").forward(child("relu2").forward(child("norm2").forward(y)));
            return dropRate > 0 ? dev.ember.nn.functional.F.dropout(y, dropRate, isTraining()) : y;
        }
    }

    /** {@code _DenseBlock}: layers {@code denselayer1..n}; returns the input and every layer's output concatenated. */
    public static final class DenseBlock extends Module {
        public DenseBlock(int numLayers, int inputFeatures, int bnSize, int growthRate, double dropRate) {
            for (int i = 0; i < numLayers; i++) {
                registerModule("denselayer" + (i + 1),
                        new DenseLayer(inputFeatures + i * growthRate, growthRate, bnSize, dropRate));
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            List<Tensor> features = new ArrayList<>();
            features.add(x);
            for (Module layer : namedChildren().values()) {
                Tensor in = features.size() == 1 ? x : Tensor.cat(features, 1);
                features.add(layer.forward(in));
            }
            return Tensor.cat(features, 1);
        }
    }

    /** {@code _Transition}: norm, relu, 1×1 conv to {@code outputFeatures}, 2×2 average pool. */
    public static final class Transition extends NamedSequential {
        public Transition(int inputFeatures, int outputFeatures) {
            add("norm", new BatchNorm2d(inputFeatures));
            add("relu", new ReLU());
            add("conv", BasicBlock.conv1x1(inputFeatures, outputFeatures, 1));
            add("pool", new AvgPool2d(2, 2, 0));
        }
    }
}
