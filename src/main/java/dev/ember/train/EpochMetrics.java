package dev.ember.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's numbers, as written to {@code metrics.jsonl}: mean training loss over the epoch's
 * batches, validation loss and accuracy (NaN without validation), training throughput and wall time.
 */
public record EpochMetrics(int epoch, double trainLoss, double valLoss, double valAccuracy, double imagesPerSec,
                           double seconds, double lr) {

    /** The metrics.jsonl object, keys in a fixed order. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("train_loss", trainLoss);
        m.put("val_loss", valLoss);
        m.put("val_accuracy", valAccuracy);
        m.put("images_per_sec", imagesPerSec);
        m.put("seconds", seconds);
        m.put("lr", lr);
        return m;
    }
}
