package dev.ember.nn;

import dev.ember.autograd.GradMode;
import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;

/**
 * Batch normalisation over the channel dim (PyTorch's _BatchNorm): learnable weight/bias [C],
 * buffers running_mean, running_var [C] and num_batches_tracked (int64 scalar), momentum 0.1 and
 * eps 1e-5 by default. A frozen (eval-mode) instance uses only its running statistics.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;

    protected BatchNorm(int numFeatures, double eps, double momentum) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": num_features must be positive, got "
                    + numFeatures);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", Tensor.ones(numFeatures));
        registerParameter("bias", Tensor.zeros(numFeatures));
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
        registerBuffer("num_batches_tracked", Tensor.zeros().to(DType.INT64));
    }

    /** Whether this variant accepts inputs of this rank (2 or 3 for BatchNorm1d, 4 for BatchNorm2d). */
    protected abstract boolean acceptsRank(int rank);

    /** The accepted input shapes, for error messages. */
    protected abstract String expectedShape();

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.dim()) || x.size(1) != numFeatures) {
            throw new ShapeException(getClass().getSimpleName() + "(" + numFeatures + "): expected input "
                    + expectedShape() + " with C = " + numFeatures + ", got " + x.shape());
        }
        if (isTraining()) {
            try (var off = GradMode.noGrad()) {
                buffer("num_batches_tracked").addInPlace(1);
            }
        }
        return F.batchNorm(x, runningMean(), runningVar(), parameter("weight"), parameter("bias"), isTraining(),
                momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + pyFloat(eps) + ", momentum=" + pyFloat(momentum)
                + ", affine=True, track_running_stats=True";
    }
}
