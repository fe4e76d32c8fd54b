package dev.ember.nn;

import dev.ember.nn.functional.F;
import dev.ember.nn.init.Init;
import dev.ember.tensor.Tensor;

/** y = x W^T + b: input [..., in] → [..., out]; weight [out, in], bias [out]. PyTorch's default init. */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: features must be positive, got in=" + inFeatures
                    + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        Tensor b = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
        Init.defaultLayerInit(w, b);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (hasBias ? "True" : "False");
    }
}
