package dev.ember.nn;

import dev.ember.nn.functional.F;
import dev.ember.nn.init.Init;
import dev.ember.tensor.Tensor;

/**
 * 2-D convolution: [N, inC, H, W] → [N, outC, outH, outW]; weight [outC, inC, kH, kW], bias [outC].
 * Built with {@link #builder(int, int, int)}; groups = 1.
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean hasBias;

    private Conv2d(Builder b) {
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.dilation = b.dilation;
        this.hasBias = b.bias;
        Tensor w = registerParameter("weight", Tensor.zeros(outChannels, inChannels, kernel[0], kernel[1]));
        Tensor bias = hasBias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        Init.defaultLayerInit(w, bias);
    }

    /** A square-kernel, stride-1, unpadded convolution with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(builder(inChannels, outChannels, kernelSize).validated());
    }

    public static Builder builder(int inChannels, int outChannels, int kernelSize) {
        return new Builder(inChannels, outChannels, kernelSize);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight(), bias(), stride, padding, dilation);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder(inChannels + ", " + outChannels + ", kernel_size=" + pair(kernel)
                + ", stride=" + pair(stride));
        if (padding[0] != 0 || padding[1] != 0) {
            sb.append(", padding=").append(pair(padding));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            sb.append(", dilation=").append(pair(dilation));
        }
        if (!hasBias) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }

    static String pair(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    /** Validates everything in {@link #build()}. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] dilation = {1, 1};
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int kernelSize) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = new int[] {kernelSize, kernelSize};
        }

        public Builder kernel(int h, int w) {
            kernel = new int[] {h, w};
            return this;
        }

        public Builder stride(int s) {
            stride = new int[] {s, s};
            return this;
        }

        public Builder padding(int p) {
            padding = new int[] {p, p};
            return this;
        }

        public Builder dilation(int d) {
            dilation = new int[] {d, d};
            return this;
        }

        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        Builder validated() {
            if (inChannels <= 0 || outChannels <= 0) {
                throw new IllegalArgumentException("Conv2d: channels must be positive, got in=" + inChannels
                        + ", out=" + outChannels);
            }
            for (int i = 0; i < 2; i++) {
                if (kernel[i] <= 0 || stride[i] <= 0 || dilation[i] <= 0 || padding[i] < 0) {
                    throw new IllegalArgumentException("Conv2d: kernel, stride and dilation must be positive and padding "
                            + "non-negative, got kernel=" + pair(kernel) + " stride=" + pair(stride) + " padding="
                            + pair(padding) + " dilation=" + pair(dilation));
                }
            }
            return this;
        }

        public Conv2d build() {
            return new Conv2d(validated());
        }
    }
}
