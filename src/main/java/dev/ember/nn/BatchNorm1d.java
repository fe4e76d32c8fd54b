package dev.ember.nn;

/** Batch normalisation of [N, C] features. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) {
        super(numFeatures, 1e-5, 0.1);
    }

    @Override
    protected int expectedRank() {
        return 2;
    }
}
