package dev.ember.autograd;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.Device;
import dev.ember.core.Shape;
import dev.ember.tensor.Tensor;

/**
 * Every backward rule, one short entry per op (PyTorch's derivatives.yaml). {@code g} is the
 * gradient of the op's output; {@code n.saved(i)} the tensors the op saved (inputs unless noted).
 * Rules may return gradients in the broadcast output shape: the engine reduces them. Ops composed
 * from others (softmax, var, losses, …) need no entry.
 */
public final class Derivatives {
    private Derivatives() {
    }

    private static Tensor[] of(Tensor... grads) {
        return grads;
    }

    // elementwise, two inputs (saved: x, y)
    public static final Backward ADD = (g, n) -> of(g, g);
    public static final Backward SUB = (g, n) -> of(g, g.neg());
    public static final Backward MUL = (g, n) -> of(n.inputNeedsGrad(0) ? g.mul(n.saved(1)) : null,
            n.inputNeedsGrad(1) ? g.mul(n.saved(0)) : null);
    public static final Backward DIV = (g, n) -> {
        Tensor y = n.saved(1);
        return of(g.div(y), g.neg().mul(n.saved(0)).div(y.mul(y)));
    };
    public static final Backward POW = (g, n) -> {
        Tensor x = n.saved(0);
        Tensor y = n.saved(1);
        Tensor gx = g.mul(y).mul(x.pow(y.sub(1)));
        Tensor gy = g.mul(x.pow(y).mul(x.log()));
        // d/dy x^y at x = 0 is taken as 0 where y >= 0, as PyTorch does
        return of(gx, Tensor.where(x.eq(0).mul(y.ge(0)), Tensor.zerosLike(gy), gy));
    };
    public static final Backward MAXIMUM = (g, n) -> splitByOrder(g, n.saved(0), n.saved(1));
    public static final Backward MINIMUM = (g, n) -> splitByOrder(g, n.saved(1), n.saved(0));

    /**
     * Routes g by order: the first result is g where {@code a > b}, the second g where {@code b > a},
     * and both get g/2 where equal. maximum(x, y) passes (x, y); minimum(x, y) passes (y, x), so
     * the first result still belongs to x.
     */
    private static Tensor[] splitByOrder(Tensor g, Tensor a, Tensor b) {
        Tensor half = g.mul(0.5);
        Tensor zero = Tensor.zerosLike(g);
        Tensor first = Tensor.where(a.eq(b), half, Tensor.where(a.gt(b), g, zero));
        Tensor second = Tensor.where(a.eq(b), half, Tensor.where(b.gt(a), g, zero));
        return of(first, second);
    }

    // elementwise, one input (saved: x, or the output where the rule says out)
    public static final Backward IDENTITY = (g, n) -> of(g);
    public static final Backward ZERO = (g, n) -> of(Tensor.zerosLike(g));
    /** copy_(src) (inputs: self, src): the overwritten values get nothing, the source all. */
    public static final Backward COPY = (g, n) -> of(Tensor.zerosLike(g), g);
    public static final Backward NEG = (g, n) -> of(g.neg());
    /** saved: out */
    public static final Backward EXP = (g, n) -> of(g.mul(n.saved(0)));
    public static final Backward LOG = (g, n) -> of(g.div(n.saved(0)));
    /** saved: out */
    public static final Backward SQRT = (g, n) -> of(g.div(n.saved(0).mul(2)));
    public static final Backward ABS = (g, n) -> of(g.mul(n.saved(0).sign()));
    /** saved: out */
    public static final Backward SIGMOID = (g, n) -> {
        Tensor y = n.saved(0);
        return of(g.mul(y.mul(y.rsub(1))));
    };
    /** saved: out */
    public static final Backward TANH = (g, n) -> {
        Tensor y = n.saved(0);
        return of(g.mul(y.mul(y).rsub(1)));
    };
    /** saved: out */
    public static final Backward RELU = (g, n) -> of(g.reluBackward(n.saved(0)));
    /** threshold_backward(x, y): linear in x, piecewise constant in y (saved: x, y) */
    public static final Backward RELU_BACKWARD = (g, n) -> of(g.reluBackward(n.saved(1)), null);
    public static final Backward SIN = (g, n) -> of(g.mul(n.saved(0).cos()));
    public static final Backward COS = (g, n) -> of(g.mul(n.saved(0).sin()).neg());
    /** saved: out */
    public static final Backward RECIPROCAL = (g, n) -> {
        Tensor y = n.saved(0);
        return of(g.mul(y.mul(y)).neg());
    };

    public static Backward mulScalar(double c) {
        return (g, n) -> of(g.mul(c));
    }

    public static Backward powScalar(double c) {
        return (g, n) -> of(c == 0 ? Tensor.zerosLike(g) : g.mul(n.saved(0).pow(c - 1).mul(c)));
    }

    /** saved: out = base^x */
    public static Backward scalarPow(double base) {
        return (g, n) -> of(g.mul(n.saved(0)).mul(Math.log(base)));
    }

    public static Backward leakyRelu(double slope) {
        return (g, n) -> of(Tensor.where(n.saved(0).gt(0), g, g.mul(slope)));
    }

    /** Gradient passes where min <= x <= max (NaN bounds are absent). */
    public static Backward clamp(double min, double max) {
        return (g, n) -> {
            Tensor x = n.saved(0);
            Tensor pass = Tensor.onesLike(g);
            if (!Double.isNaN(min)) {
                pass = pass.mul(x.ge(min));
            }
            if (!Double.isNaN(max)) {
                pass = pass.mul(x.le(max));
            }
            return of(g.mul(pass));
        };
    }

    public static Backward where(Tensor cond) {
        return (g, n) -> {
            Tensor zero = Tensor.zerosLike(g);
            return of(Tensor.where(cond, g, zero), Tensor.where(cond, zero, g));
        };
    }

    // reductions

    /** Sum over the dims in {@code mask}: the gradient is broadcast back over them. */
    public static Backward sum(Shape input, boolean[] mask, boolean keepdim) {
        return (g, n) -> {
            Tensor kept = g;
            if (!keepdim) {
                for (int d = 0; d < mask.length; d++) {
                    if (mask[d]) {
                        kept = kept.unsqueeze(d);
                    }
                }
            }
            return of(kept.expand(input.toArray()));
        };
    }

    /** max()/min() of all elements (saved: x, out): shared evenly among the elements equal to the result. */
    public static final Backward EVENLY_DISTRIBUTED = (g, n) -> {
        Tensor hits = n.saved(0).eq(n.saved(1)).to(dev.ember.core.DType.FLOAT32);
        return of(hits.mul(g.div(hits.sum())));
    };

    /** Max pooling: each output's gradient goes to its window's winner ({@code indices} [N, C, oh, ow], h*W + w). */
    public static Backward maxPool2d(ConvGeometry geometry, Tensor indices) {
        return (g, n) -> of(Tensor.maxPool2dBackward(g, indices, geometry));
    }

    /** Max pooling's backward: linear in its gradient, whose own gradient is read back at the winners. */
    public static Backward maxPool2dBackward(ConvGeometry geometry, Tensor indices) {
        return (g, n) -> {
            int planes = indices.size(0) * indices.size(1);
            return of(g.reshape(planes, -1).gather(1, indices.reshape(planes, -1)).view(indices.shape().toArray()));
        };
    }

    /** max/min along a dim: the gradient goes to the chosen index ({@code indices} in keepdim form). */
    public static Backward indexedReduce(Shape input, int dim, Tensor indices, boolean keepdim) {
        return (g, n) -> {
            Tensor kept = keepdim ? g : g.unsqueeze(dim);
            return of(Tensor.zeros(input, g.device()).scatterAdd(dim, indices, kept));
        };
    }

    // linear algebra

    /** The matmul primitive, a [M,K] or [B,M,K] by b [B,K,N] (saved: a, b); batch broadcasting is reduced by the engine. */
    public static final Backward MATMUL = (g, n) -> {
        Tensor a = n.saved(0);
        Tensor b = n.saved(1);
        boolean flat = a.dim() == 2;
        Tensor g3 = flat ? g.unsqueeze(0) : g;
        Tensor ga = null;
        Tensor gb = null;
        if (n.inputNeedsGrad(0)) {
            ga = g3.matmul(b.transpose(1, 2));
            // a batch of one needs no sum (a fresh tensor, so its view aliases nothing)
            ga = !flat ? ga : ga.size(0) == 1 ? ga.squeeze(0) : ga.sum(0, false);
        }
        if (n.inputNeedsGrad(1)) {
            Tensor a3 = flat ? a.unsqueeze(0) : a;
            // b a transposed view (Linear's weight.t()): compute the gradient in the weight's own layout,
            // (g^T a)^T, so the leaf receives a contiguous gradient instead of copying a transposed one
            gb = b.transpose(1, 2).isContiguous() ? g3.transpose(1, 2).matmul(a3).transpose(1, 2)
                    : a3.transpose(1, 2).matmul(g3);
        }
        return of(ga, gb);
    };

    // views and copies

    public static Backward reshapeTo(Shape input) {
        return (g, n) -> of(g.reshape(input.toArray()));
    }

    public static Backward permute(int[] inverse) {
        return (g, n) -> of(g.permute(inverse));
    }

    public static Backward transpose(int a, int b) {
        return (g, n) -> of(g.transpose(a, b));
    }

    /** For unsqueeze(d): drop the dim again. */
    public static Backward squeeze(int d) {
        return (g, n) -> of(g.squeeze(d));
    }

    /** For squeeze(d): put the dim back. */
    public static Backward unsqueeze(int d) {
        return (g, n) -> of(g.unsqueeze(d));
    }

    public static Backward narrow(Shape input, int dim, int start) {
        return (g, n) -> {
            Tensor z = Tensor.zeros(input, g.device());
            z.narrow(dim, start, g.size(dim)).copyInPlace(g);
            return of(z);
        };
    }

    public static Backward select(Shape input, int dim, int index) {
        return (g, n) -> {
            Tensor z = Tensor.zeros(input, g.device());
            z.select(dim, index).copyInPlace(g);
            return of(z);
        };
    }

    public static Backward toDevice(Device from) {
        return (g, n) -> of(g.to(from));
    }

    /** cat along dim: each input gets its slice of the gradient. */
    public static Backward cat(int dim, int[] sizes) {
        return (g, n) -> {
            Tensor[] grads = new Tensor[sizes.length];
            int at = 0;
            for (int i = 0; i < sizes.length; i++) {
                grads[i] = g.narrow(dim, at, sizes[i]);
                at += sizes[i];
            }
            return grads;
        };
    }

    // indexing

    public static Backward gather(Shape input, int dim, Tensor index) {
        return (g, n) -> of(Tensor.zeros(input, g.device()).scatterAdd(dim, index, g));
    }

    /** saved: none; inputs (self, src). */
    public static Backward scatterAdd(int dim, Tensor index) {
        return (g, n) -> of(g, g.gather(dim, index));
    }

    // windows

    /**
     * conv2d(x, w, bias) (saved: x, w). Its gradients are linear in each argument, so each is another
     * member of the family: gx = conv2dInputGrad(g, w), gw = conv2dWeightGrad(g, x), gbias = g summed.
     */
    public static Backward conv2d(ConvGeometry geometry) {
        return (g, n) -> of(n.inputNeedsGrad(0) ? Tensor.conv2dInputGrad(g, n.saved(1), geometry) : null,
                n.inputNeedsGrad(1) ? Tensor.conv2dWeightGrad(g, n.saved(0), geometry) : null,
                n.inputNeedsGrad(2) ? g.sum(new int[] {0, 2, 3}, false) : null);
    }

    /** conv2dInputGrad(gy, w) (saved: gy, w): d/dgy is the convolution of g by w, d/dw the weight gradient of gy on g. */
    public static Backward conv2dInputGrad(ConvGeometry geometry) {
        return (g, n) -> of(n.inputNeedsGrad(0) ? g.conv2d(n.saved(1), null, geometry) : null,
                n.inputNeedsGrad(1) ? Tensor.conv2dWeightGrad(n.saved(0), g, geometry) : null);
    }

    /** conv2dWeightGrad(gy, x) (saved: gy, x): d/dgy is the convolution of x by g, d/dx the input gradient of gy through g. */
    public static Backward conv2dWeightGrad(ConvGeometry geometry) {
        return (g, n) -> of(n.inputNeedsGrad(0) ? n.saved(1).conv2d(g, null, geometry) : null,
                n.inputNeedsGrad(1) ? Tensor.conv2dInputGrad(n.saved(0), g, geometry) : null);
    }

    /**
     * batchNorm(x, weight, bias) (saved: x, mean, invstd, then weight if any): one fused pass
     * ({@code native_batch_norm_backward}); its result is not differentiable again.
     */
    public static Backward batchNorm(boolean batchStats) {
        return (g, n) -> Tensor.batchNormBackward(g, n.saved(0), n.saved(1), n.saved(2),
                n.inputs()[1] == null ? null : n.saved(3), batchStats, n.inputNeedsGrad(0), n.inputNeedsGrad(1),
                n.inputNeedsGrad(2));
    }

    public static Backward unfold2d(ConvGeometry geometry) {
        return (g, n) -> of(g.fold2d(geometry));
    }

    public static Backward fold2d(ConvGeometry geometry) {
        return (g, n) -> of(g.unfold2d(geometry, 0f));
    }
}
