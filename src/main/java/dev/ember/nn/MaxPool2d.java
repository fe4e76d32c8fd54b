package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Max over k×k windows: [N, C, H, W] → [N, C, outH, outW]; stride defaults to the kernel size. */
public final class MaxPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this.kernel = new int[] {kernelSize, kernelSize};
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.ember.nn.functional.F.maxPool2d(x, kernel, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0]
                + ", dilation=1, ceil_mode=False";
    }
}
