package dev.ember.nn;

/** Batch normalisation of [N, C] features or [N, C, L] sequences, per channel. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) {
        super(numFeatures, 1e-5, 0.1);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    protected String expectedShape() {
        return "[N, C] or [N, C, L]";
    }
}
