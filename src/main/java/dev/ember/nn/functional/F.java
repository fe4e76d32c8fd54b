package dev.ember.nn.functional;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

/**
 * The functional API ({@code torch.nn.functional}): layers call these, users may too. Everything is
 * composed from Tensor ops, so autograd needs no rules of its own here. Shapes follow PyTorch:
 * images are NCHW, class scores [N, C], class labels int64 [N].
 */
public final class F {
    private F() {
    }

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return x.leakyRelu(negativeSlope);
    }

    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** y = x W^T + b for x [..., in], weight [out, in], bias [out] or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (x.size(-1) != weight.size(1)) {
            throw new ShapeException("linear: input " + x.shape() + " has " + x.size(-1)
                    + " features but the weight " + weight.shape() + " expects " + weight.size(1));
        }
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /**
     * 2-D convolution: x [N, C, H, W], weight [O, C, kH, kW], bias [O] or null → [N, O, outH, outW]
     * (the {@link Tensor#conv2d} primitive; the CPU unfolds and multiplies one image at a time).
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        if (x.dim() != 4) {
            throw new ShapeException("conv2d: expected 4-D input [N, C, H, W], got " + x.shape());
        }
        if (x.size(1) != weight.size(1)) {
            throw new ShapeException("conv2d: weight of size " + weight.shape() + " expected input " + x.shape()
                    + " to have " + weight.size(1) + " channels, but got " + x.size(1) + " channels instead");
        }
        ConvGeometry g = new ConvGeometry(x.size(1), x.size(2), x.size(3), weight.size(2), weight.size(3),
                stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        return x.conv2d(weight, bias, g);
    }

    /** Window geometry for pooling each channel on its own. */
    private static ConvGeometry poolGeometry(Tensor x, int[] kernel, int[] stride, int[] padding, String op) {
        if (x.dim() != 4) {
            throw new ShapeException(op + ": expected 4-D input [N, C, H, W], got " + x.shape());
        }
        if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
            throw new ShapeException(op + ": pad should be at most half of effective kernel size, but got pad="
                    + padding[0] + "x" + padding[1] + " and kernel_size=" + kernel[0] + "x" + kernel[1]);
        }
        return new ConvGeometry(1, x.size(2), x.size(3), kernel[0], kernel[1], stride[0], stride[1],
                padding[0], padding[1], 1, 1);
    }

    /** Max over each window (padding counts as -inf), x [N, C, H, W]. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        ConvGeometry g = poolGeometry(x, kernel, stride, padding, "max_pool2d");
        Tensor planes = x.reshape(-1, 1, x.size(2), x.size(3));
        return planes.maxPool2d(g).values().view(x.size(0), x.size(1), g.outH(), g.outW());
    }

    /** Mean over each window, padding included in the count (PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        ConvGeometry g = poolGeometry(x, kernel, stride, padding, "avg_pool2d");
        Tensor cols = x.reshape(-1, 1, x.size(2), x.size(3)).unfold2d(g, 0f);
        return cols.mean(1, false).view(x.size(0), x.size(1), g.outH(), g.outW());
    }

    /**
     * Average pooling to a fixed output size: cell (i, j) averages rows floor(i*H/outH) to
     * ceil((i+1)*H/outH) and likewise for columns, as PyTorch does.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        if (x.dim() != 4) {
            throw new ShapeException("adaptive_avg_pool2d: expected 4-D input [N, C, H, W], got " + x.shape());
        }
        int h = x.size(2);
        int w = x.size(3);
        if (outH == h && outW == w) {
            return x.clone();  // each cell averages one pixel (the Fashion cnn's 7×7 head): a copy, not three passes
        }
        if (outH == 1 && outW == 1) {
            return x.mean(new int[] {2, 3}, true);
        }
        if (h % outH == 0 && w % outW == 0) {
            int[] k = {h / outH, w / outW};
            return avgPool2d(x, k, k, new int[] {0, 0});
        }
        java.util.List<Tensor> rows = new java.util.ArrayList<>();
        for (int i = 0; i < outH; i++) {
            int y0 = Math.floorDiv(i * h, outH);
            int y1 = -Math.floorDiv(-(i + 1) * h, outH);
            java.util.List<Tensor> cells = new java.util.ArrayList<>();
            for (int j = 0; j < outW; j++) {
                int x0 = Math.floorDiv(j * w, outW);
                int x1 = -Math.floorDiv(-(j + 1) * w, outW);
                cells.add(x.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0).mean(new int[] {2, 3}, false));
            }
            rows.add(Tensor.stack(cells, -1));
        }
        return Tensor.stack(rows, -2);
    }

    /**
     * Zeroes elements with probability p and scales the rest by 1/(1-p) in training; the mask
     * comes from the global generator's Bernoulli draws.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0.0);
        }
        float[] mask = new float[x.numel()];
        Generator.global().bernoulli(mask, 0, mask.length, 1 - p);
        return x.mul(Tensor.wrap(mask, x.shape().toArray()).to(x.device()).div(1 - p));
    }

    /**
     * Batch normalisation over dim 1 of [N, C], [N, C, L] or [N, C, H, W]: statistics per channel over
     * every other dim. In training the batch statistics are used (biased variance) and the running
     * ones updated in place with the unbiased variance; in evaluation the running statistics are used.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) {
            throw new ShapeException("batch_norm: expected an input [N, C, ...], got " + x.shape());
        }
        int channels = x.size(1);
        if (!training) {
            Tensor invstd = runningVar.add(eps).sqrt().reciprocal();
            return x.batchNorm(runningMean, invstd, weight, bias, false);
        }
        int count = x.numel() / channels;
        if (count == 1) {
            throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                    + x.shape());
        }
        Tensor[] stats = x.batchNormStats();
        Tensor mean = stats[0];
        Tensor var = stats[1];
        if (runningMean != null) {
            try (var off = dev.ember.autograd.GradMode.noGrad()) {
                Tensor unbiased = var.mul(count / Math.max(count - 1.0, 1.0));
                runningMean.mulInPlace(1 - momentum).addInPlace(mean, momentum);
                runningVar.mulInPlace(1 - momentum).addInPlace(unbiased, momentum);
            }
        }
        return x.batchNorm(mean, var.add(eps).sqrt().reciprocal(), weight, bias, true);
    }

    // ---------------------------------------------------------------- losses

    /** How a loss reduces per-element values: mean (default), sum or none. */
    public enum Reduction { MEAN, SUM, NONE }

    private static Tensor reduce(Tensor loss, Reduction r) {
        return switch (r) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
        };
    }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        if (!input.shape().equals(target.shape())) {
            throw new ShapeException("mse_loss: input " + input.shape() + " and target " + target.shape()
                    + " must have the same shape");
        }
        Tensor d = input.sub(target);
        return reduce(d.mul(d), reduction);
    }

    private static void checkClassTargets(Tensor scores, Tensor target, String op) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected int64 class indices as target, got "
                    + target.dtype().torchName());
        }
        if (scores.dim() != 2 || target.dim() != 1 || scores.size(0) != target.size(0)) {
            throw new ShapeException(op + ": expected input [N, C] and target [N], got " + scores.shape() + " and "
                    + target.shape());
        }
        // gather wraps negative indices, so -1 would silently pick the last class; torch rejects it.
        // Checked where the labels are at hand (CPU); on a GPU this would cost a sync per batch.
        if (!target.device().isCuda()) {
            int classes = scores.size(1);
            for (long t : target.toLongArray()) {
                if (t < 0 || t >= classes) {
                    throw new IndexOutOfBoundsException(op + ": Target " + t + " is out of bounds (" + classes
                            + " classes).");
                }
            }
        }
    }

    /** Negative log-likelihood of log-probabilities [N, C] at int64 targets [N]. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Reduction reduction) {
        checkClassTargets(logProbs, target, "nll_loss");
        Tensor picked = logProbs.gather(1, target.unsqueeze(1)).squeeze(1);
        return reduce(picked.neg(), reduction);
    }

    /** Cross entropy from logits [N, C] and int64 targets [N] (log-softmax then NLL). */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN, 0.0);
    }

    /**
     * Cross entropy with label smoothing ε: (1-ε)·NLL + ε·mean over classes of -log p, which is
     * PyTorch's formula for class-index targets.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction, double labelSmoothing) {
        checkClassTargets(logits, target, "cross_entropy");
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Tensor logProbs = logits.logSoftmax(1);
        Tensor nll = logProbs.gather(1, target.unsqueeze(1)).squeeze(1).neg();
        if (labelSmoothing == 0) {
            return reduce(nll, reduction);
        }
        Tensor smooth = logProbs.mean(1, false).neg();
        return reduce(nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing)), reduction);
    }

    /**
     * Binary cross entropy on logits: softplus(x) - x·y, with softplus(x) = log(e^0 + e^x) taken by
     * logsumexp, which subtracts max(x, 0) (stable) and whose derivative is exactly σ(x), also at
     * x = 0 where max(x, 0) + log(1 + exp(-|x|)) would give subgradients that do not add up to σ(0).
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        if (!logits.shape().equals(target.shape())) {
            throw new ShapeException("binary_cross_entropy_with_logits: target size " + target.shape()
                    + " must be the same as input size " + logits.shape());
        }
        Tensor softplus = Tensor.stack(java.util.List.of(Tensor.zerosLike(logits), logits), -1).logsumexp(-1, false);
        return reduce(softplus.sub(logits.mul(target)), reduction);
    }
}
