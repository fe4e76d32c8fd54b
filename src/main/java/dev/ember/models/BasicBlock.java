package dev.ember.models;

import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.tensor.Tensor;

/**
 * torchvision's ResNet {@code BasicBlock} (expansion 1): {@code relu(bn2(conv2(relu(bn1(conv1(x))))) +
 * identity)}, where identity is {@code downsample(x)} when the block changes stride or width.
 * Children, in torchvision's order: {@code conv1} (3×3, stride s), {@code bn1}, {@code relu},
 * {@code conv2} (3×3), {@code bn2}, and, only when given, {@code downsample} =
 * Sequential(conv 1×1 stride s, BatchNorm2d) with keys {@code downsample.0.weight},
 * {@code downsample.1.running_mean}, …. All convolutions are bias-free.
 */
public final class BasicBlock extends Module {
    public static final int EXPANSION = 1;

    /** @param downsample the identity path's projection, or null for a plain identity */
    public BasicBlock(int inPlanes, int planes, int stride, Module downsample) {
        registerModule("conv1", ResNet.conv3x3(inPlanes, planes, stride));
        registerModule("bn1", new BatchNorm2d(planes));
        registerModule("relu", new ReLU());
        registerModule("conv2", ResNet.conv3x3(planes, planes, 1));
        registerModule("bn2", new BatchNorm2d(planes));
        if (downsample != null) {
            registerModule("downsample", downsample);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Module relu = child("relu");
        Tensor out = relu.forward(child("bn1").forward(child("conv1").forward(x)));
        out = child("bn2").forward(child("conv2").forward(out));
        Tensor identity = namedChildren().containsKey("downsample") ? child("downsample").forward(x) : x;
        return relu.forward(out.add(identity));
    }

    static Conv2d conv1x1(int in, int out, int stride) {
        return Conv2d.builder(in, out, 1).stride(stride).bias(false).build();
    }
}
