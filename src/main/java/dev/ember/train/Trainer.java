package dev.ember.train;

import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.Prefetcher;
import dev.ember.loss.Loss;
import dev.ember.nn.Module;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * In-process training: {@link #fit} runs epochs of minibatch steps with per-epoch validation (loss,
 * accuracy) and optional early stopping on the validation loss. The loss must average over the batch
 * (reduction MEAN). Each step is {@link Steps#gradients} then {@code optimizer.step()}, the same
 * step a Spark executor runs. With a {@link FeatureCache} the steps run only its head, on the frozen
 * backbone's features of each batch's images, computed once per loader.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final int epochs;
    private final Device device;
    private final LRScheduler scheduler;
    private final int patience;
    private final Consumer<EpochMetrics> onEpoch;
    private final int numClasses;
    private final int startEpoch;
    private final FeatureCache cache;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.epochs = b.epochs;
        this.device = b.device;
        this.scheduler = b.scheduler;
        this.patience = b.patience;
        this.onEpoch = b.onEpoch;
        this.numClasses = b.numClasses;
        this.startEpoch = b.startEpoch;
        this.cache = b.cache;
    }

    public static Builder builder(Module model, Optimizer optimizer, Loss loss, int numClasses) {
        return new Builder(model, optimizer, loss, numClasses);
    }

    /** Trains for the configured epochs (or until early stopping); returns one entry per epoch run. */
    public List<EpochMetrics> fit(DataLoader train, DataLoader validation) {
        List<EpochMetrics> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        for (int epoch = startEpoch; epoch < epochs; epoch++) {
            long start = System.nanoTime();
            model.train();
            double lossSum = 0;
            long images = 0;
            int batches = 0;
            if (cache == null) {
                try (Prefetcher<Batch> it = new Prefetcher<>(train.epoch(epoch).iterator(), 2)) {
                    while (it.hasNext()) {
                        Batch b = it.next();
                        lossSum += step(model, Steps.images(b, device), Steps.labels(b, device));
                        images += b.size();
                        batches++;
                    }
                }
            } else {
                Features features = cache.of(train);
                for (int[] rows : train.indexBatches(epoch)) {
                    lossSum += step(cache.head(), features.inputs(rows, device), features.labels(rows, device));
                    images += rows.length;
                    batches++;
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            double lr = optimizer.lr();
            if (scheduler != null) {
                scheduler.step();
            }
            Evaluation val = validation == null ? null : evaluate(validation);
            double seconds = (System.nanoTime() - start) / 1e9;
            EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / batches, val == null ? Double.NaN : val.loss(),
                    val == null ? Double.NaN : val.accuracy(), images / trainSeconds, seconds, lr);
            history.add(m);
            if (onEpoch != null) {
                onEpoch.accept(m);
            }
            if (patience > 0 && val != null) {
                if (val.loss() < best) {
                    best = val.loss();
                    sinceBest = 0;
                } else if (++sinceBest >= patience) {
                    break;
                }
            }
        }
        return history;
    }

    private double step(Module m, Tensor x, Tensor y) {
        double l = Steps.gradients(m, loss, x, y);
        optimizer.step();
        return l;
    }

    /** Loss, accuracy and confusion matrix over every batch of {@code data}, in eval mode. */
    public Evaluation evaluate(DataLoader data) {
        if (cache == null) {
            return evaluate(model, loss, data, device, numClasses);
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        Features features = cache.of(data);
        Evaluation total = Evaluation.empty(numClasses);
        for (int[] rows : data.indexBatches(0)) {
            total = total.merge(Steps.evaluate(cache.head(), loss, features.inputs(rows, device),
                    features.labels(rows, device), numClasses));
        }
        model.train(wasTraining);
        return total;
    }

    public static Evaluation evaluate(Module model, Loss loss, DataLoader data, Device device, int numClasses) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Evaluation total = Evaluation.empty(numClasses);
        try (Prefetcher<Batch> it = new Prefetcher<>(data.epoch(0).iterator(), 2)) {
            while (it.hasNext()) {
                Batch b = it.next();
                Tensor x = Steps.images(b, device);
                total = total.merge(Steps.evaluate(model, loss, x, Steps.labels(b, device), numClasses));
            }
        }
        model.train(wasTraining);
        return total;
    }

    /** Validates in {@link #build()}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private final Loss loss;
        private final int numClasses;
        private int epochs = 1;
        private Device device = Device.cpu();
        private LRScheduler scheduler;
        private int patience;
        private Consumer<EpochMetrics> onEpoch;
        private int startEpoch;
        private FeatureCache cache;

        private Builder(Module model, Optimizer optimizer, Loss loss, int numClasses) {
            this.model = model;
            this.optimizer = optimizer;
            this.loss = loss;
            this.numClasses = numClasses;
        }

        public Builder epochs(int n) {
            epochs = n;
            return this;
        }

        /** Where batches go; the model must already be there. Default CPU. */
        public Builder device(Device d) {
            device = d;
            return this;
        }

        /** Epochs already done (when resuming): training continues with the next one. */
        public Builder startEpoch(int done) {
            startEpoch = done;
            return this;
        }

        /** Stepped once after each epoch's training. */
        public Builder scheduler(LRScheduler s) {
            scheduler = s;
            return this;
        }

        /** Stop after this many epochs without a better validation loss; 0 (default) never stops early. */
        public Builder earlyStopping(int patience) {
            this.patience = patience;
            return this;
        }

        /** Called after every epoch (progress printing, metrics files, checkpoints). */
        public Builder onEpoch(Consumer<EpochMetrics> listener) {
            onEpoch = listener;
            return this;
        }

        /**
         * Train and evaluate only {@code cache}'s head, on its features of the loaders given to
         * {@link #fit} and {@link #evaluate} (computed on first use); null (default) runs the whole
         * model. The cache must be made from this model.
         */
        public Builder featureCache(FeatureCache cache) {
            this.cache = cache;
            return this;
        }

        public Trainer build() {
            if (model == null || optimizer == null || loss == null) {
                throw new IllegalArgumentException("Trainer needs a model, an optimizer and a loss");
            }
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be positive, got " + epochs);
            }
            if (numClasses <= 0) {
                throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
            }
            if (startEpoch < 0 || startEpoch > epochs) {
                throw new IllegalArgumentException("start epoch must be in [0, " + epochs + "], got " + startEpoch);
            }
            if (patience < 0) {
                throw new IllegalArgumentException("early stopping patience must be >= 0, got " + patience);
            }
            return new Trainer(this);
        }
    }
}
