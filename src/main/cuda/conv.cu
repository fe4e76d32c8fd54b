// im2col / col2im for NCHW convolution and pooling, and max pooling. Columns are logically
// [N, C*kH*kW, outH*outW]; where each (n, row) run of outH*outW sits is the host's choice (a
// convolution puts all images' rows side by side, [C*kH*kW, N, L], for one GEMM).
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

// Where column entry (n, row, l) sits: offset + n * n + row * row + l.
struct Cols {
    int offset, n, row;
};

// One thread per column entry, in column order, so writes are coalesced within each run.
extern "C" __global__ void im2col_f32(Window g, Nchw xs, Cols cs, const float* x, float* cols, float padValue,
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
        int row = (c * g.kH + kh) * g.kW + kw;
        float v = inside ? x[xs.offset + n * xs.n + c * xs.c + ih * xs.h + iw * xs.w] : padValue;
        cols[cs.offset + n * cs.n + row * cs.row + oh * g.outW + ow] = v;
    }
}

// One thread per pixel gathers every column entry that im2col read from it: no atomics, and the
// order of the additions is fixed, so the result is deterministic. Adds into x.
extern "C" __global__ void col2im_f32(Window g, Cols cs, const float* cols, float* x, unsigned total) {
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
                sum += cols[cs.offset + (size_t) n * cs.n + (size_t) row * cs.row + oh * g.outW + ow];
            }
        }
        x[i] += sum;
    }
}

// Max pooling, one thread per output in output order. Same rule as the CPU: the first inside
// position of the window starts as the winner with -inf, a larger value or any NaN replaces it
// (PyTorch's max_pool2d_with_indices), and the index is the winner's h*W + w in its plane.
extern "C" __global__ void max_pool2d_f32(Window g, Nchw xs, const float* x, float* out, long long* indices,
                                          unsigned total) {
    EMBER_FOR_EACH(i, total) {
        unsigned t = i;
        int ow = t % g.outW; t /= g.outW;
        int oh = t % g.outH; t /= g.outH;
        int c = t % g.channels;
        int n = t / g.channels;
        int y0 = oh * g.strideH - g.padH;
        int x0 = ow * g.strideW - g.padW;
        int ky0 = y0 >= 0 ? 0 : (-y0 + g.dilH - 1) / g.dilH;
        int kx0 = x0 >= 0 ? 0 : (-x0 + g.dilW - 1) / g.dilW;
        const float* plane = x + xs.offset + n * xs.n + c * xs.c;
        float best = -INFINITY;
        long long arg = (long long) (y0 + ky0 * g.dilH) * g.inW + x0 + kx0 * g.dilW;
        for (int kh = ky0; kh < g.kH; kh++) {
            int ih = y0 + kh * g.dilH;
            if (ih >= g.inH) {
                break;
            }
            for (int kw = kx0; kw < g.kW; kw++) {
                int iw = x0 + kw * g.dilW;
                if (iw >= g.inW) {
                    break;
                }
                float v = plane[ih * xs.h + iw * xs.w];
                if (v > best || isnan(v)) {
                    best = v;
                    arg = (long long) ih * g.inW + iw;
                }
            }
        }
        out[i] = best;
        indices[i] = arg;
    }
}
