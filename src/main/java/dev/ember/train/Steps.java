package dev.ember.train;

import dev.ember.autograd.GradMode;
import dev.ember.data.Batch;
import dev.ember.loss.Loss;
import dev.ember.nn.Module;
import dev.ember.core.Device;
import dev.ember.tensor.Tensor;

/**
 * The per-minibatch work shared by in-process training and Spark executors: turn a batch into
 * tensors, compute the loss and gradients, or score it for evaluation.
 */
public final class Steps {
    private Steps() {
    }

    /** The batch's images [N, C, H, W] on {@code device} (wrapped without copying on the CPU). */
    public static Tensor images(Batch b, Device device) {
        return Tensor.wrap(b.images(), b.size(), b.shape().channels(), b.shape().height(), b.shape().width())
                .to(device);
    }

    /** The batch's labels [N] (int64) on {@code device}. */
    public static Tensor labels(Batch b, Device device) {
        return Tensor.wrap(b.labels(), b.size()).to(device);
    }

    /**
     * Forward and backward on one batch: clears the model's gradients, leaves the new ones in each
     * parameter's {@code .grad} and returns the mean loss.
     */
    public static double gradients(Module model, Loss loss, Tensor x, Tensor y) {
        model.zeroGrad();
        Tensor l = loss.apply(model.forward(x), y);
        l.backward();
        return l.item();
    }

    /** Scores one batch without recording a graph: summed loss, correct count and confusion counts. */
    public static Evaluation evaluate(Module model, Loss loss, Tensor x, Tensor y, int numClasses) {
        try (var off = GradMode.noGrad()) {
            Tensor logits = model.forward(x);
            int n = x.size(0);
            double lossSum = loss.apply(logits, y).item() * n;
            long[] predicted = logits.argmax(1, false).toLongArray();
            long[] truth = y.toLongArray();
            long[][] confusion = new long[numClasses][numClasses];
            long correct = 0;
            for (int i = 0; i < n; i++) {
                confusion[(int) truth[i]][(int) predicted[i]]++;
                if (truth[i] == predicted[i]) {
                    correct++;
                }
            }
            return new Evaluation(lossSum, correct, n, confusion);
        }
    }
}
