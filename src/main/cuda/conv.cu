// im2col / col2im for NCHW convolution and pooling. Columns are [N, C*kH*kW, outH*outW], the
// layout a GEMM with the [outC, C*kH*kW] weight matrix wants.
#include "ember.cuh"

// ConvGeometry.java plus its derived output size; all ints, packed by the host in this order.
struct Window {
    int channels, inH, inW;
    int kH, kW;
    int strideH, strideW;
    int padH, padW;
    int dilH, dilW;
    int outH, outW;
};

// Where x's elements sit: offset and the four NCHW strides (x may be any view).
struct Nchw {
    int offset, n, c, h, w;
};

// One thread per column entry, in column order, so writes are coalesced.
extern "C" __global__ void im2col_f32(Window g, Nchw xs, const float* x, float* cols, float padValue,
                                      unsigned total) {
    EMBER_FOR_EACH(i, total) {
        unsigned t = i;
        int ow = t % g.outW; t /= g.outW;
        int oh = t % g.outH; t /= g.outH;
        int kw = t % g.kW; t /= g.kW;
        int kh = t % g.kH; t /= g.kH;
        int c = t % g.channels;
        int n = t / g.channels;
        int ih = oh * g.strideH - g.padH + kh * g.dilH;
        int iw = ow * g.strideW - g.padW + kw * g.dilW;
        bool inside = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
        cols[i] = inside ? x[xs.offset + n * xs.n + c * xs.c + ih * xs.h + iw * xs.w] : padValue;
    }
}

// One thread per pixel gathers every column entry that im2col read from it: no atomics, and the
// order of the additions is fixed, so the result is deterministic. Adds into x.
extern "C" __global__ void col2im_f32(Window g, const float* cols, float* x, unsigned total) {
    int colsPerImage = g.outH * g.outW;
    EMBER_FOR_EACH(i, total) {
        unsigned t = i;
        int w = t % g.inW; t /= g.inW;
        int h = t % g.inH; t /= g.inH;
        int c = t % g.channels;
        int n = t / g.channels;
        float sum = 0.0f;
        for (int kh = 0; kh < g.kH; kh++) {
            int ohScaled = h + g.padH - kh * g.dilH;
            if (ohScaled < 0 || ohScaled % g.strideH != 0 || ohScaled / g.strideH >= g.outH) {
                continue;
            }
            int oh = ohScaled / g.strideH;
            for (int kw = 0; kw < g.kW; kw++) {
                int owScaled = w + g.padW - kw * g.dilW;
                if (owScaled < 0 || owScaled % g.strideW != 0 || owScaled / g.strideW >= g.outW) {
                    continue;
                }
                int ow = owScaled / g.strideW;
                int row = (c * g.kH + kh) * g.kW + kw;
                sum += cols[((size_t) n * g.channels * g.kH * g.kW + row) * colsPerImage + oh * g.outW + ow];
            }
        }
        x[i] += sum;
    }
}
