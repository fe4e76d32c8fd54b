package dev.ember.report;

import dev.ember.train.EpochMetrics;

import java.util.List;
import java.util.OptionalInt;

/**
 * Figures derived from metrics.jsonl: the epoch of the lowest validation loss (the first, on ties),
 * total wall time and mean throughput.
 */
record RunSummary(List<EpochMetrics> epochs, OptionalInt bestEpoch, double totalSeconds, double meanImagesPerSec) {

    static RunSummary of(List<EpochMetrics> epochs) {
        EpochMetrics best = null;
        double seconds = 0;
        double rates = 0;
        int rated = 0;
        for (EpochMetrics m : epochs) {
            if (!Double.isNaN(m.valLoss()) && (best == null || m.valLoss() < best.valLoss())) {
                best = m;
            }
            seconds += m.seconds();
            if (!Double.isNaN(m.imagesPerSec())) {
                rates += m.imagesPerSec();
                rated++;
            }
        }
        return new RunSummary(List.copyOf(epochs), best == null ? OptionalInt.empty() : OptionalInt.of(best.epoch()),
                seconds, rated == 0 ? Double.NaN : rates / rated);
    }

    EpochMetrics epoch(int epoch) {
        return epochs.stream().filter(m -> m.epoch() == epoch).findFirst().orElseThrow();
    }

    EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }

    /**
     * True when validation loss ended above its best while training loss kept falling: the model
     * was fitting the training set's noise after the best epoch.
     */
    boolean overfitting() {
        if (bestEpoch.isEmpty()) {
            return false;
        }
        EpochMetrics best = epoch(bestEpoch.getAsInt());
        EpochMetrics last = last();
        return last.epoch() > best.epoch() && last.valLoss() > best.valLoss() && last.trainLoss() < best.trainLoss();
    }
}
