package dev.ember.nn;

/** Batch normalisation of [N, C, H, W] images, per channel. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) {
        super(numFeatures, 1e-5, 0.1);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    protected String expectedShape() {
        return "[N, C, H, W]";
    }
}
