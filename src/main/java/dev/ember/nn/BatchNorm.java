package dev.ember.nn;

import dev.ember.autograd.GradMode;
import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;

/**
 * Batch normalisation over the channel dim (PyTorch's _BatchNorm): learnable weight/bias [C],
 * buffers running_mean, running_var [C] and num_batches_tracked (int64 scalar), momentum 0.1 and
 * eps 1e-5 by default. An eval-mode instance uses only its running statistics; a
 * {@linkplain #setFrozen frozen} one stays in eval mode through {@code train()}.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private boolean frozen;

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

    /**
     * Pins this layer to eval mode (or releases it): while frozen, {@link #train(boolean)} keeps it
     * evaluating with its running statistics, which then no longer change, as transfer learning wants
     * for a frozen backbone. Freezing switches to eval mode at once; unfreezing leaves the mode as it
     * is until the next {@code train()}. {@link Module#freeze} sets this for BatchNorms under its paths.
     */
    public BatchNorm setFrozen(boolean frozen) {
        this.frozen = frozen;
        if (frozen) {
            super.train(false);
        }
        return this;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Only when frozen: in training mode it otherwise normalises with the batch's statistics. */
    @Override
    public boolean isDeterministicPerSample() {
        return frozen;
    }

    @Override
    public Module train(boolean mode) {
        return super.train(mode && !frozen);
    }

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
                + ", affine=True, track_running_stats=True" + (frozen ? ", frozen=True" : "");
    }
}
