package dev.ember.nn;

import dev.ember.tensor.Tensor;

/** Mean over k×k windows (padding counted): [N, C, H, W] → [N, C, outH, outW]. */
public final class AvgPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this.kernel = new int[] {kernelSize, kernelSize};
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.ember.nn.functional.F.avgPool2d(x, kernel, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0];
    }
}
