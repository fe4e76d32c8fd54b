package dev.ember.backend;

/**
 * The window arithmetic shared by convolution and pooling on NCHW input: channels, input size,
 * kernel, stride, padding and dilation. {@code outH}/{@code outW} follow PyTorch's formula
 * {@code floor((H + 2p - d(k-1) - 1) / s) + 1}.
 */
public record ConvGeometry(int channels, int inH, int inW, int kH, int kW, int strideH, int strideW,
                           int padH, int padW, int dilH, int dilW) {

    public ConvGeometry {
        if (kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0 || dilH <= 0 || dilW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid window: kernel " + kH + "x" + kW + ", stride " + strideH + "x"
                    + strideW + ", padding " + padH + "x" + padW + ", dilation " + dilH + "x" + dilW);
        }
        if (outSize(inH, kH, strideH, padH, dilH) <= 0 || outSize(inW, kW, strideW, padW, dilW) <= 0) {
            throw new IllegalArgumentException("input " + inH + "x" + inW + " is smaller than the (dilated) kernel "
                    + kH + "x" + kW + " with padding " + padH + "x" + padW);
        }
    }

    private static int outSize(int in, int k, int s, int p, int d) {
        return Math.floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
    }

    public int outH() {
        return outSize(inH, kH, strideH, padH, dilH);
    }

    public int outW() {
        return outSize(inW, kW, strideW, padW, dilW);
    }

    /** Rows of the column matrix: C*kH*kW. */
    public int colRows() {
        return channels * kH * kW;
    }

    /** Columns of the column matrix: outH*outW. */
    public int colCols() {
        return outH() * outW();
    }
}
