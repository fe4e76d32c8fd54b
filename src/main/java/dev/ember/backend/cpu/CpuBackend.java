package dev.ember.backend.cpu;

import dev.ember.backend.AdamScalars;
import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Storage;

/** The default backend: Java loops for elementwise work, BLAS for matrix products. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {
    }

    private static CpuStorage cpu(Storage s) {
        if (s instanceof CpuStorage c) {
            return c;
        }
        throw new IllegalArgumentException("expected a cpu storage, got one on " + s.device());
    }

    /** Which BLAS the matrix products run on (e.g. JNIBLAS for native OpenBLAS). */
    public static String blasImplementation() {
        return Gemm.implementation();
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return CpuStorage.allocate(dtype, size);
    }

    @Override
    public Storage upload(float[] data, DType dtype) {
        return CpuStorage.wrap(data.clone(), dtype);
    }

    @Override
    public Storage upload(long[] data) {
        return CpuStorage.wrap(data.clone());
    }

    @Override
    public float[] downloadFloats(Storage s) {
        return cpu(s).floats().clone();
    }

    @Override
    public long[] downloadLongs(Storage s) {
        return cpu(s).longs().clone();
    }

    @Override
    public void fill(Storage dst, Layout dl, double value) {
        Elementwise.fill(cpu(dst), dl, value);
    }

    @Override
    public void copy(Storage src, Layout sl, Storage dst, Layout dl) {
        Elementwise.copy(cpu(src), sl, cpu(dst), dl);
    }

    @Override
    public void unary(UnaryOp op, double a, double b, Storage x, Layout xl, Storage out, Layout ol) {
        Elementwise.unary(op, a, b, cpu(x), xl, cpu(out), ol);
    }

    @Override
    public void binary(BinaryOp op, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        Elementwise.binary(op, cpu(x), xl, cpu(y), yl, cpu(out), ol);
    }

    @Override
    public void axpy(double alpha, Storage x, Layout xl, Storage y, Layout yl) {
        Elementwise.axpy((float) alpha, cpu(x), xl, cpu(y), yl);
    }

    /** One pass over contiguous parameters (three reads and two writes per element instead of ~nine). */
    @Override
    public void sgdMomentum(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                            Storage p, Layout pl, Storage g, Layout gl, Storage buf, Layout bl) {
        // one offset for all three (the loop vectorises only then: see Elementwise.alignedBinary), as
        // parameters, their gradients and buffers all start at 0 in practice
        if (pl.isContiguous() && gl.isContiguous() && bl.isContiguous() && pl.offset() == gl.offset()
                && gl.offset() == bl.offset()) {
            Elementwise.sgdMomentum((float) -lr, (float) momentum, (float) (1 - dampening), (float) weightDecay, nesterov,
                    cpu(p).floats(), cpu(g).floats(), cpu(buf).floats(), pl.offset(), pl.shape().numel());
        } else {
            Backend.super.sgdMomentum(lr, momentum, dampening, weightDecay, nesterov, p, pl, g, gl, buf, bl);
        }
    }

    /** One pass over contiguous operands with one offset (as for sgdMomentum); else the composed default. */
    @Override
    public void adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                     double step, Storage p, Layout pl, Storage g, Layout gl, Storage m, Layout ml, Storage v,
                     Layout vl) {
        if (pl.isContiguous() && gl.isContiguous() && ml.isContiguous() && vl.isContiguous() && pl.offset() == gl.offset()
                && gl.offset() == ml.offset() && ml.offset() == vl.offset()) {
            Elementwise.adam(AdamScalars.of(lr, beta1, beta2, eps, weightDecay, decoupled, step), cpu(p).floats(),
                    cpu(g).floats(), cpu(m).floats(), cpu(v).floats(), pl.offset(), pl.shape().numel());
        } else {
            Backend.super.adam(lr, beta1, beta2, eps, weightDecay, decoupled, step, p, pl, g, gl, m, ml, v, vl);
        }
    }

    @Override
    public void where(Storage cond, Layout cl, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        Elementwise.where(cpu(cond), cl, cpu(x), xl, cpu(y), yl, cpu(out), ol);
    }

    @Override
    public void reduce(ReduceOp op, Storage x, Layout xl, boolean[] dims, Storage out, Layout ol) {
        Reductions.reduce(op, cpu(x), xl, dims, cpu(out), ol);
    }

    @Override
    public void argReduce(ReduceOp op, Storage x, Layout xl, int dim, Storage values, Storage indices) {
        Reductions.argReduce(op, cpu(x), xl, dim, cpu(values), cpu(indices));
    }

    @Override
    public void matmul(Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        Gemm.matmul(cpu(x), xl, cpu(y), yl, cpu(out), ol);
    }

    @Override
    public void im2col(Storage x, Layout xl, ConvGeometry g, float padValue, Storage cols, Layout cl) {
        Windows.im2col(cpu(x), xl, g, padValue, cpu(cols), cl);
    }

    @Override
    public void col2im(Storage cols, Layout cl, ConvGeometry g, Storage x) {
        Windows.col2im(cpu(cols), cl, g, cpu(x));
    }

    @Override
    public void conv2d(Storage x, Layout xl, Storage weight, Storage bias, ConvGeometry g, int outChannels, Storage out) {
        Convolution.forward(cpu(x), xl, cpu(weight), bias == null ? null : cpu(bias), g, outChannels, cpu(out));
    }

    @Override
    public void conv2dBackwardInput(Storage gOut, Storage weight, ConvGeometry g, int outChannels, int batch, Storage gx) {
        Convolution.backwardInput(cpu(gOut), cpu(weight), g, outChannels, batch, cpu(gx));
    }

    @Override
    public void conv2dBackwardWeight(Storage gOut, Storage x, Layout xl, ConvGeometry g, int outChannels, Storage gWeight) {
        Convolution.backwardWeight(cpu(gOut), cpu(x), xl, g, outChannels, cpu(gWeight));
    }

    @Override
    public void maxPool2dBackward(Storage gOut, Storage indices, ConvGeometry g, int planes, Storage gx) {
        Windows.maxPool2dBackward(cpu(gOut), cpu(indices), g, planes, cpu(gx));
    }

    @Override
    public void batchNormStats(Storage x, int n, int c, int s, Storage mean, Storage var) {
        Normalization.stats(cpu(x).floats(), n, c, s, cpu(mean).floats(), cpu(var).floats());
    }

    @Override
    public void batchNorm(Storage x, int n, int c, int s, Storage mean, Storage invstd, Storage weight, Storage bias,
                          Storage out) {
        Normalization.forward(cpu(x).floats(), n, c, s, cpu(mean).floats(), cpu(invstd).floats(), floatsOrNull(weight),
                floatsOrNull(bias), cpu(out).floats());
    }

    @Override
    public void batchNormBackward(Storage g, Storage x, int n, int c, int s, Storage mean, Storage invstd,
                                  Storage weight, boolean batchStats, Storage gx, Storage gWeight, Storage gBias) {
        Normalization.backward(cpu(g).floats(), cpu(x).floats(), n, c, s, cpu(mean).floats(), cpu(invstd).floats(),
                floatsOrNull(weight), batchStats, floatsOrNull(gx), floatsOrNull(gWeight), floatsOrNull(gBias));
    }

    private static float[] floatsOrNull(Storage s) {
        return s == null ? null : cpu(s).floats();
    }

    @Override
    public void maxPool2d(Storage x, Layout xl, ConvGeometry g, Storage out, Storage indices) {
        Windows.maxPool2d(cpu(x), xl, g, cpu(out), cpu(indices));
    }

    @Override
    public void gather(Storage x, Layout xl, int dim, Storage index, Layout il, Storage out, Layout ol) {
        Indexing.gather(cpu(x), xl, dim, cpu(index), il, cpu(out), ol);
    }

    @Override
    public void scatterAdd(Storage dst, Layout dl, int dim, Storage index, Layout il, Storage src, Layout sl) {
        Indexing.scatterAdd(cpu(dst), dl, dim, cpu(index), il, cpu(src), sl);
    }
}
