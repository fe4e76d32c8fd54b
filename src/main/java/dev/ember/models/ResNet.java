package dev.ember.models;

import dev.ember.nn.AdaptiveAvgPool2d;
import dev.ember.nn.BatchNorm;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.Staged;
import dev.ember.nn.init.Init;
import dev.ember.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's ResNet with {@link BasicBlock}s (ResNet-18/34), with its exact attribute names, so a
 * torchvision {@code state_dict()} loads as it is: {@code conv1} (7×7 stride 2 pad 3, no bias),
 * {@code bn1}, {@code relu}, {@code maxpool} (3, stride 2, pad 1), {@code layer1..layer4} (Sequentials
 * of blocks; widths w, 2w, 4w, 8w with w = 64; layers 2–4 start with stride 2 and a downsample),
 * {@code avgpool} (adaptive 1×1), then flatten and {@code fc} (8w → numClasses).
 * <p>Initialised as torchvision does, in its order of random draws (so after
 * {@code Generator.manualSeed(s)} the weights equal {@code torch.manual_seed(s); resnet18()}'s): every
 * layer first gets PyTorch's default init as it is built, then every conv gets
 * {@code kaiming_normal_(mode='fan_out', nonlinearity='relu')} and every BatchNorm weight 1, bias 0;
 * {@code fc} keeps the default Linear init.
 * <p>{@code inChannels} other than 3 changes only {@code conv1}'s weight shape; {@code baseWidth} other
 * than 64 is an Ember extension for small models (torchvision's widths are fixed at 64).
 */
public final class ResNet extends Module implements Staged {
    private final int[] layers;
    private final int baseWidth;
    private final Flatten flatten = new Flatten();

    /**
     * @param layers blocks per stage, e.g. {2, 2, 2, 2} for ResNet-18
     * @param baseWidth width of conv1 and layer1 (64 in torchvision)
     */
    public ResNet(int[] layers, int baseWidth, int numClasses, int inChannels) {
        if (layers.length != 4 || Arrays.stream(layers).anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("ResNet needs 4 positive block counts, got " + Arrays.toString(layers));
        }
        if (baseWidth <= 0 || numClasses <= 0 || inChannels <= 0) {
            throw new IllegalArgumentException("ResNet: baseWidth, numClasses and inChannels must be positive, got "
                    + baseWidth + ", " + numClasses + ", " + inChannels);
        }
        this.layers = layers.clone();
        this.baseWidth = baseWidth;
        registerModule("conv1", Conv2d.builder(inChannels, baseWidth, 7).stride(2).padding(3).bias(false).build());
        registerModule("bn1", new BatchNorm2d(baseWidth));
        registerModule("relu", new ReLU());
        registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int inPlanes = baseWidth;
        for (int stage = 0; stage < 4; stage++) {
            int planes = baseWidth << stage;
            int stride = stage == 0 ? 1 : 2;
            registerModule("layer" + (stage + 1), makeLayer(inPlanes, planes, layers[stage], stride));
            inPlanes = planes * BasicBlock.EXPANSION;
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        registerModule("fc", new Linear(inPlanes, numClasses));
        initLikeTorchvision(this);
    }

    /** torchvision's {@code _make_layer}: the downsample is built before its block, as there (same draws). */
    private static Sequential makeLayer(int inPlanes, int planes, int blocks, int stride) {
        Sequential layer = new Sequential();
        Module downsample = null;
        if (stride != 1 || inPlanes != planes * BasicBlock.EXPANSION) {
            downsample = new Sequential(BasicBlock.conv1x1(inPlanes, planes * BasicBlock.EXPANSION, stride),
                    new BatchNorm2d(planes * BasicBlock.EXPANSION));
        }
        layer.add(new BasicBlock(inPlanes, planes, stride, downsample));
        for (int i = 1; i < blocks; i++) {
            layer.add(new BasicBlock(planes * BasicBlock.EXPANSION, planes, 1, null));
        }
        return layer;
    }

    private static void initLikeTorchvision(Module root) {
        for (Module m : root.namedModules().values()) {
            if (m instanceof Conv2d conv) {
                Init.kaimingNormal(conv.weight(), Init.FanMode.FAN_OUT, "relu");
            } else if (m instanceof BatchNorm bn) {
                Init.constant(bn.namedParameters().get("weight"), 1);
                Init.constant(bn.namedParameters().get("bias"), 0);
            }
        }
    }

    /** ResNet-18: blocks (2, 2, 2, 2); 11.7 M parameters for 1000 classes; 122 state keys. */
    public static ResNet resnet18(int numClasses, int inChannels) {
        return new ResNet(new int[] {2, 2, 2, 2}, 64, numClasses, inChannels);
    }

    /** ResNet-34: blocks (3, 4, 6, 3); 21.8 M parameters for 1000 classes. */
    public static ResNet resnet34(int numClasses, int inChannels) {
        return new ResNet(new int[] {3, 4, 6, 3}, 64, numClasses, inChannels);
    }

    /** Width of {@code fc}'s input (512 for ResNet-18/34), for building a replacement head. */
    public int featureWidth() {
        return (baseWidth << 3) * BasicBlock.EXPANSION;
    }

    public int[] layers() {
        return layers.clone();
    }

    static Conv2d conv3x3(int in, int out, int stride) {
        return Conv2d.builder(in, out, 3).stride(stride).padding(1).bias(false).build();
    }

    /** Everything up to and including the global pool, flattened: [N, featureWidth()]. */
    public Tensor forwardFeatures(Tensor x) {
        Tensor y = child("maxpool").forward(child("relu").forward(child("bn1").forward(child("conv1").forward(x))));
        for (int i = 1; i <= 4; i++) {
            y = child("layer" + i).forward(y);
        }
        return flatten.forward(child("avgpool").forward(y));
    }

    /** conv1, bn1, relu, maxpool, layer1..layer4, avgpool, flatten, fc (flatten is no registered module). */
    @Override
    public List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        for (String name : List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool")) {
            stages.add(new Stage(name, child(name)));
        }
        stages.add(new Stage("flatten", flatten));
        stages.add(new Stage("fc", child("fc")));
        return stages;
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("fc").forward(forwardFeatures(x));
    }
}
