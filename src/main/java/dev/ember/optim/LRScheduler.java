package dev.ember.optim;

/** Sets an optimizer's learning rate from the epoch count; call {@link #step()} once per epoch, after training it. */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private int epoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    /** The learning rate for a given epoch (0 = before the first step). */
    protected abstract double lrAt(int epoch, double baseLr);

    public final void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch, baseLr));
    }

    public final int lastEpoch() {
        return epoch;
    }

    /** Restores the position after a resume; sets the optimizer's rate for that epoch. */
    public final void setLastEpoch(int e) {
        epoch = e;
        optimizer.setLr(lrAt(epoch, baseLr));
    }
}
