package dev.ember.backend;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;

/**
 * The primitives a device implements; everything else in Ember is composed from them. A backend
 * sees only storages and layouts, never tensors or autograd.
 *
 * <p>Conventions: inputs may have any strides (stride 0 for broadcast dims) and offsets; outputs
 * are written through their layout, which for freshly allocated results is contiguous. Shapes
 * passed together are already equal (the façade broadcasts and checks them). An output may be the
 * same storage and layout as an input (in-place ops).
 */
public interface Backend {

    Device device();

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, int size);

    /** A storage holding a copy of {@code data} (FLOAT32 or BOOL). */
    Storage upload(float[] data, DType dtype);

    /** A storage holding a copy of {@code data} (INT64). */
    Storage upload(long[] data);

    /** A host copy of all of a float-backed storage. */
    float[] downloadFloats(Storage s);

    /** A host copy of all of an INT64 storage. */
    long[] downloadLongs(Storage s);

    void fill(Storage dst, Layout dl, double value);

    /** Copies {@code src} into {@code dst} element by element, converting dtype if they differ. */
    void copy(Storage src, Layout sl, Storage dst, Layout dl);

    /** {@code out = op(x; a, b)}; see {@link UnaryOp} for the scalars. */
    void unary(UnaryOp op, double a, double b, Storage x, Layout xl, Storage out, Layout ol);

    /** {@code out = op(x, y)}. */
    void binary(BinaryOp op, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol);

    /**
     * {@code y += alpha * x} in place, x already broadcast to y's shape (the optimizers' update). The
     * default composes it from {@link #unary} and {@link #binary}; a backend may fuse it into one pass.
     */
    default void axpy(double alpha, Storage x, Layout xl, Storage y, Layout yl) {
        Storage scaled = allocate(x.dtype(), xl.shape().numel());
        Layout dense = Layout.contiguous(xl.shape());
        unary(UnaryOp.MUL_SCALAR, alpha, 0, x, xl, scaled, dense);
        binary(BinaryOp.ADD, y, yl, scaled, dense, y, yl);
        scaled.close();
    }

    /**
     * One SGD-with-momentum update in place (the formula of {@code optim.SGD}, PyTorch's), float32
     * tensors of one shape: {@code g' = g + wd·p; buf = μ·buf + (1-τ)·g'; p += -lr·(nesterov ? g' +
     * μ·buf : buf)}. The default composes it from {@link #unary}, {@link #binary} and {@link #axpy};
     * a backend may fuse it into one pass with the same float operations in the same order.
     */
    default void sgdMomentum(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                             Storage p, Layout pl, Storage g, Layout gl, Storage buf, Layout bl) {
        Layout dense = Layout.contiguous(pl.shape());
        int n = pl.shape().numel();
        Storage decayed = null;
        if (weightDecay != 0) {
            decayed = withWeightDecay(weightDecay, p, pl, g, gl);
            g = decayed;
            gl = dense;
        }
        unary(UnaryOp.MUL_SCALAR, momentum, 0, buf, bl, buf, bl);
        axpy(1 - dampening, g, gl, buf, bl);
        if (nesterov) {
            Storage step = allocate(DType.FLOAT32, n);
            unary(UnaryOp.MUL_SCALAR, momentum, 0, buf, bl, step, dense);
            binary(BinaryOp.ADD, g, gl, step, dense, step, dense);
            axpy(-lr, step, dense, p, pl);
            step.close();
        } else {
            axpy(-lr, buf, bl, p, pl);
        }
        if (decayed != null) {
            decayed.close();
        }
    }

    /**
     * One Adam update in place (the formula of {@code optim.Adam}, PyTorch's), float32 tensors of one
     * shape, at step {@code step} (counted from 1): with weight decay wd, AdamW ({@code decoupled})
     * first scales p by (1 - lr·wd), Adam adds wd·p to g; then {@code m = β1·m + (1-β1)·g; v = β2·v +
     * (1-β2)·g²; p += -lr/(1-β1^t) · m / (√v · (1/√(1-β2^t)) + ε)}. The default composes it from
     * {@link #unary}, {@link #binary} and {@link #axpy} with the scalars of {@link AdamScalars}; a
     * backend may fuse it into one pass with the same float operations in the same order.
     */
    default void adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                      double step, Storage p, Layout pl, Storage g, Layout gl, Storage m, Layout ml, Storage v,
                      Layout vl) {
        AdamScalars s = AdamScalars.of(lr, beta1, beta2, eps, weightDecay, decoupled, step);
        Layout dense = Layout.contiguous(pl.shape());
        int n = pl.shape().numel();
        Storage decayed = null;
        if (s.decays()) {
            if (s.decoupled()) {
                unary(UnaryOp.MUL_SCALAR, s.decay(), 0, p, pl, p, pl);
            } else {
                decayed = withWeightDecay(s.decay(), p, pl, g, gl);
                g = decayed;
                gl = dense;
            }
        }
        unary(UnaryOp.MUL_SCALAR, s.beta1(), 0, m, ml, m, ml);
        axpy(s.keep1(), g, gl, m, ml);
        unary(UnaryOp.MUL_SCALAR, s.beta2(), 0, v, vl, v, vl);
        Storage t = allocate(DType.FLOAT32, n);
        binary(BinaryOp.MUL, g, gl, g, gl, t, dense);
        axpy(s.keep2(), t, dense, v, vl);
        unary(UnaryOp.SQRT, 0, 0, v, vl, t, dense);
        unary(UnaryOp.MUL_SCALAR, s.invBias2Sqrt(), 0, t, dense, t, dense);
        unary(UnaryOp.ADD_SCALAR, s.eps(), 0, t, dense, t, dense);
        binary(BinaryOp.DIV, m, ml, t, dense, t, dense);
        axpy(s.step(), t, dense, p, pl);
        t.close();
        if (decayed != null) {
            decayed.close();
        }
    }

    /** {@code g + wd·p} (weight decay added to the gradient) as a new dense float32 storage; the caller closes it. */
    private Storage withWeightDecay(double weightDecay, Storage p, Layout pl, Storage g, Layout gl) {
        Layout dense = Layout.contiguous(pl.shape());
        Storage decayed = allocate(DType.FLOAT32, dense.shape().numel());
        unary(UnaryOp.MUL_SCALAR, weightDecay, 0, p, pl, decayed, dense);
        binary(BinaryOp.ADD, g, gl, decayed, dense, decayed, dense);
        return decayed;
    }

    /** {@code out = cond ? x : y}. */
    void where(Storage cond, Layout cl, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol);

    /**
     * Reduces the dims where {@code ol} has size 1 and {@code xl} does not (and any dims flagged in
     * {@code dims}). {@code ol} has the same rank as {@code xl} (keepdim form).
     */
    void reduce(ReduceOp op, Storage x, Layout xl, boolean[] dims, Storage out, Layout ol);

    /**
     * Max or min along {@code dim} with the index of the first extreme element (PyTorch's choice);
     * {@code values} (x's dtype) and {@code indices} (INT64) are contiguous in keepdim form.
     */
    void argReduce(ReduceOp op, Storage x, Layout xl, int dim, Storage values, Storage indices);

    /**
     * Batched matrix product {@code out[b] = x[b] @ y[b]}: x is [B, M, K], y is [B, K, N] (any strides,
     * batch stride 0 for broadcast), out is [B, M, N] contiguous and overwritten.
     */
    void matmul(Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol);

    /**
     * Unfolds NCHW input windows into columns: x is [N, C, H, W] (any strides), cols is
     * [N, C*kH*kW, outH*outW] through {@code cl}, whose last stride is 1 (the others free: a
     * convolution stores the rows of all images side by side, [C*kH*kW, N, L], for one GEMM);
     * padding reads as {@code padValue}.
     */
    void im2col(Storage x, Layout xl, ConvGeometry g, float padValue, Storage cols, Layout cl);

    /**
     * The adjoint of im2col: adds every column entry (cols [N, C*kH*kW, L] through {@code cl}, last
     * stride 1) back to its pixel of x, contiguous [N, C, H, W].
     */
    void col2im(Storage cols, Layout cl, ConvGeometry g, Storage x);

    /**
     * 2-D convolution, {@code F.conv2d} without groups: x [N, C, H, W] (any strides), weight [O, C*kH*kW]
     * and bias [O] (or null) dense, out [N, O, outH, outW] dense and overwritten. The default unfolds
     * the whole batch into one column matrix and multiplies it once; a backend may go image by image.
     */
    default void conv2d(Storage x, Layout xl, Storage weight, Storage bias, ConvGeometry g, int outChannels,
                        Storage out) {
        int batch = xl.shape().size(0);
        int k = g.colRows();
        int l = g.colCols();
        Storage cols = batchColumns(x, xl, g);
        Storage product = allocate(DType.FLOAT32, outChannels * batch * l);
        matmul(weight, Layout.contiguous(Shape.of(1, outChannels, k)), cols,
                Layout.contiguous(Shape.of(1, k, batch * l)), product, Layout.contiguous(Shape.of(1, outChannels, batch * l)));
        // the product is [O, N, L]: permute it into NCHW order, adding the bias on the way
        Layout permuted = Layout.contiguous(Shape.of(outChannels, batch, l)).permute(1, 0, 2);
        Layout dense = Layout.contiguous(permuted.shape());
        if (bias == null) {
            copy(product, permuted, out, dense);
        } else {
            binary(BinaryOp.ADD, product, permuted, bias, new Layout(dense.shape(), new int[] {0, 1, 0}, 0), out, dense);
        }
        cols.close();
        product.close();
    }

    /** The whole batch's columns as one dense [C*kH*kW, N*L] matrix (x [N, C, H, W], any strides); the caller closes it. */
    private Storage batchColumns(Storage x, Layout xl, ConvGeometry g) {
        int batch = xl.shape().size(0);
        Storage cols = allocate(DType.FLOAT32, g.colRows() * batch * g.colCols());
        im2col(x, xl, g, 0f, cols, Layout.contiguous(Shape.of(g.colRows(), batch, g.colCols())).permute(1, 0, 2));
        return cols;
    }

    /**
     * The gradient of {@link #conv2d}'s input, overwriting gx [N, C, H, W] (dense), from gOut [N, O, outH,
     * outW] (dense) and the weight [O, C*kH*kW]: the columns' gradient W^T gOut folded back onto pixels.
     */
    default void conv2dBackwardInput(Storage gOut, Storage weight, ConvGeometry g, int outChannels, int batch,
                                     Storage gx) {
        int k = g.colRows();
        int l = g.colCols();
        Storage cols = allocate(DType.FLOAT32, batch * k * l);
        Layout colsLayout = Layout.contiguous(Shape.of(batch, k, l));
        matmul(weight, new Layout(Shape.of(batch, k, outChannels), new int[] {0, 1, k}, 0),
                gOut, Layout.contiguous(Shape.of(batch, outChannels, l)), cols, colsLayout);
        fill(gx, Layout.contiguous(Shape.of(batch, g.channels(), g.inH(), g.inW())), 0);
        col2im(cols, colsLayout, g, gx);
        cols.close();
    }

    /**
     * The gradient of {@link #conv2d}'s weight, overwriting gWeight [O, C*kH*kW] (dense): the sum over
     * images of gOut[n] [O, L] times the transposed columns of x[n] (x [N, C, H, W], any strides).
     */
    default void conv2dBackwardWeight(Storage gOut, Storage x, Layout xl, ConvGeometry g, int outChannels,
                                      Storage gWeight) {
        int batch = xl.shape().size(0);
        int k = g.colRows();
        int l = g.colCols();
        Storage cols = batchColumns(x, xl, g);
        // gOut as [O, N*L]: a dense copy of its [O, N, L] permutation
        Storage rows = allocate(DType.FLOAT32, outChannels * batch * l);
        copy(gOut, Layout.contiguous(Shape.of(batch, outChannels, l)).permute(1, 0, 2), rows,
                Layout.contiguous(Shape.of(outChannels, batch, l)));
        matmul(rows, Layout.contiguous(Shape.of(1, outChannels, batch * l)),
                cols, new Layout(Shape.of(1, batch * l, k), new int[] {0, 1, batch * l}, 0),
                gWeight, Layout.contiguous(Shape.of(1, outChannels, k)));
        cols.close();
        rows.close();
    }

    /**
     * Max pooling of every [H, W] plane: x is [N, C, H, W] (any strides; C equals g's channels), out
     * (float) and indices (int64) are contiguous [N, C, outH, outW]. An index is the winner's offset
     * {@code h*W + w} in its plane, as PyTorch's {@code max_pool2d_with_indices} gives it; padding
     * never wins, and a NaN does (the last one in the window).
     */
    void maxPool2d(Storage x, Layout xl, ConvGeometry g, Storage out, Storage indices);

    /**
     * Max pooling's gradient ({@code max_pool2d_with_indices_backward}): gx [planes, H*W] (dense,
     * overwritten) receives each output's gradient, gOut [planes, outH*outW] (dense), at its winner's
     * index from {@link #maxPool2d}. The default zero-fills and scatter-adds.
     */
    default void maxPool2dBackward(Storage gOut, Storage indices, ConvGeometry g, int planes, Storage gx) {
        Layout pixels = Layout.contiguous(Shape.of(planes, g.inH() * g.inW()));
        Layout outputs = Layout.contiguous(Shape.of(planes, g.outH() * g.outW()));
        fill(gx, pixels, 0);
        scatterAdd(gx, pixels, 1, indices, outputs, gOut, outputs);
    }

    /**
     * Batch norm's batch statistics: x [N, C, S] (dense) → per channel c the mean [C] and the biased
     * variance [C] over N and S. The default composes {@link #reduce} and {@link #binary}; a backend
     * may fuse them (same values up to float rounding).
     */
    default void batchNormStats(Storage x, int n, int c, int s, Storage mean, Storage var) {
        Layout xl = Layout.contiguous(Shape.of(n, c, s));
        Layout perChannel = Layout.contiguous(Shape.of(1, c, 1));
        float perCount = 1f / ((float) n * s);
        reduce(ReduceOp.SUM, x, xl, new boolean[] {true, false, true}, mean, perChannel);
        unary(UnaryOp.MUL_SCALAR, perCount, 0, mean, perChannel, mean, perChannel);
        Storage squares = allocate(DType.FLOAT32, n * c * s);
        binary(BinaryOp.SUB, x, xl, mean, perChannel(n, c, s), squares, xl);
        binary(BinaryOp.MUL, squares, xl, squares, xl, squares, xl);
        reduce(ReduceOp.SUM, squares, xl, new boolean[] {true, false, true}, var, perChannel);
        unary(UnaryOp.MUL_SCALAR, perCount, 0, var, perChannel, var, perChannel);
        squares.close();
    }

    /**
     * Batch norm's output, overwriting out [N, C, S] (dense): {@code (x - mean[c]) * invstd[c] *
     * weight[c] + bias[c]} for x [N, C, S] (dense) and [C] statistics; weight and bias may be null (1 and
     * 0). Computed as PyTorch's CPU kernel does: {@code x * α[c] + β[c]} with {@code α = invstd * weight},
     * {@code β = bias - mean * α}.
     */
    default void batchNorm(Storage x, int n, int c, int s, Storage mean, Storage invstd, Storage weight, Storage bias,
                           Storage out) {
        Layout vec = Layout.contiguous(Shape.of(c));
        Storage alpha = allocate(DType.FLOAT32, c);
        Storage beta = allocate(DType.FLOAT32, c);
        copy(invstd, vec, alpha, vec);
        if (weight != null) {
            binary(BinaryOp.MUL, alpha, vec, weight, vec, alpha, vec);
        }
        binary(BinaryOp.MUL, mean, vec, alpha, vec, beta, vec);
        unary(UnaryOp.NEG, 0, 0, beta, vec, beta, vec);
        if (bias != null) {
            binary(BinaryOp.ADD, bias, vec, beta, vec, beta, vec);
        }
        Layout xl = Layout.contiguous(Shape.of(n, c, s));
        binary(BinaryOp.MUL, x, xl, alpha, perChannel(n, c, s), out, xl);
        binary(BinaryOp.ADD, out, xl, beta, perChannel(n, c, s), out, xl);
        alpha.close();
        beta.close();
    }

    /**
     * Batch norm's gradients from g [N, C, S] (dense), as PyTorch's {@code batch_norm_backward}: with
     * {@code dot[c] = Σ g·(x − mean)} and {@code sum[c] = Σ g} over N and S, gWeight = dot·invstd, gBias =
     * sum, and gx = {@code (g − sum/count − (x − mean)·dot·invstd²/count)·invstd·weight} when mean and
     * invstd are the batch's own statistics ({@code batchStats}), else {@code g·invstd·weight}. Any of
     * gx [N, C, S], gWeight [C], gBias [C] may be null (not wanted); weight null reads as ones.
     */
    default void batchNormBackward(Storage g, Storage x, int n, int c, int s, Storage mean, Storage invstd,
                                   Storage weight, boolean batchStats, Storage gx, Storage gWeight, Storage gBias) {
        Layout xl = Layout.contiguous(Shape.of(n, c, s));
        Layout vec = Layout.contiguous(Shape.of(c));
        Layout perChannel = Layout.contiguous(Shape.of(1, c, 1));
        boolean[] overChannels = {true, false, true};
        Storage centered = allocate(DType.FLOAT32, n * c * s);
        Storage sum = allocate(DType.FLOAT32, c);
        Storage dot = allocate(DType.FLOAT32, c);
        binary(BinaryOp.SUB, x, xl, mean, perChannel(n, c, s), centered, xl);
        reduce(ReduceOp.SUM, g, xl, overChannels, sum, perChannel);
        Storage product = allocate(DType.FLOAT32, n * c * s);
        binary(BinaryOp.MUL, g, xl, centered, xl, product, xl);
        reduce(ReduceOp.SUM, product, xl, overChannels, dot, perChannel);
        product.close();
        if (gWeight != null) {
            binary(BinaryOp.MUL, dot, vec, invstd, vec, gWeight, vec);
        }
        if (gBias != null) {
            copy(sum, vec, gBias, vec);
        }
        if (gx != null) {
            Storage scale = allocate(DType.FLOAT32, c);
            copy(invstd, vec, scale, vec);
            if (weight != null) {
                binary(BinaryOp.MUL, scale, vec, weight, vec, scale, vec);
            }
            if (batchStats) {
                float perCount = 1f / ((float) n * s);
                // k = dot·invstd²/count scales the centred input; the mean of g is sum/count
                binary(BinaryOp.MUL, dot, vec, invstd, vec, dot, vec);
                binary(BinaryOp.MUL, dot, vec, invstd, vec, dot, vec);
                unary(UnaryOp.MUL_SCALAR, perCount, 0, dot, vec, dot, vec);
                unary(UnaryOp.MUL_SCALAR, perCount, 0, sum, vec, sum, vec);
                binary(BinaryOp.MUL, centered, xl, dot, perChannel(n, c, s), centered, xl);
                binary(BinaryOp.SUB, g, xl, sum, perChannel(n, c, s), gx, xl);
                binary(BinaryOp.SUB, gx, xl, centered, xl, gx, xl);
                binary(BinaryOp.MUL, gx, xl, scale, perChannel(n, c, s), gx, xl);
            } else {
                binary(BinaryOp.MUL, g, xl, scale, perChannel(n, c, s), gx, xl);
            }
            scale.close();
        }
        centered.close();
        sum.close();
        dot.close();
    }

    /** A [C] vector read as [N, C, S], repeating over N and S. */
    private static Layout perChannel(int n, int c, int s) {
        return new Layout(Shape.of(n, c, s), new int[] {0, 1, 0}, 0);
    }

    /** {@code out[..i..] = x[..index[..i..]..]} along {@code dim}; out and index have the same shape. */
    void gather(Storage x, Layout xl, int dim, Storage index, Layout il, Storage out, Layout ol);

    /** {@code dst[..index[..i..]..] += src[..i..]} along {@code dim}; src and index have the same shape. */
    void scatterAdd(Storage dst, Layout dl, int dim, Storage index, Layout il, Storage src, Layout sl);
}
