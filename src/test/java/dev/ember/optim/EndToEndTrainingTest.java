package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.autograd.GradMode;
import dev.ember.loss.BCEWithLogitsLoss;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.loss.Loss;
import dev.ember.nn.BatchNorm1d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.Tanh;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

/** Small models learn small problems: the layers, losses and optimizers work together. */
class EndToEndTrainingTest {
    private static final Tensor XOR_X = Tensor.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    private static final Tensor XOR_Y = Tensor.ofLongs(0, 1, 1, 0);

    private static double[] train(Module model, Optimizer opt, Loss loss, Tensor x, Tensor y, int steps) {
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            Tensor l = loss.apply(model.forward(x), y);
            l.backward();
            opt.step();
            last = l.item();
            if (i == 0) {
                first = last;
            }
        }
        return new double[] {first, last};
    }

    private static double accuracy(Module model, Tensor x, Tensor y) {
        model.eval();
        try (var off = GradMode.noGrad()) {
            long[] predicted = model.forward(x).argmax(1, false).toLongArray();
            long[] labels = y.toLongArray();
            int right = 0;
            for (int i = 0; i < labels.length; i++) {
                right += predicted[i] == labels[i] ? 1 : 0;
            }
            return right / (double) labels.length;
        } finally {
            model.train();
        }
    }

    private static Sequential xorNet() {
        Generator.manualSeed(0);
        return new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 2));
    }

    private void learnsXor(Function<List<Tensor>, Optimizer> make, int steps, String what) {
        Sequential net = xorNet();
        double[] loss = train(net, make.apply(net.parameters()), new CrossEntropyLoss(), XOR_X, XOR_Y, steps);
        assertTrue(loss[0] > 0.6, what + ": starts near log 2, got " + loss[0]);
        assertTrue(loss[1] < 0.05, what + ": cross entropy after " + steps + " steps is " + loss[1]);
        assertEquals(1.0, accuracy(net, XOR_X, XOR_Y), what);
    }

    @Test
    void mlpLearnsXorWithSgd() {
        learnsXor(ps -> SGD.builder(ps, 0.5).momentum(0.9).build(), 300, "SGD momentum");
    }

    @Test
    void mlpLearnsXorWithAdam() {
        learnsXor(ps -> new Adam(ps, 0.05), 200, "Adam");
    }

    @Test
    void mlpLearnsXorWithBceWithLogits() {
        Generator.manualSeed(1);
        Sequential net = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
        Tensor y = Tensor.of(new float[][] {{0}, {1}, {1}, {0}});
        double[] loss = train(net, new AdamW(net.parameters(), 0.05), new BCEWithLogitsLoss(), XOR_X, y, 300);
        assertTrue(loss[1] < 0.05, "BCE after 300 AdamW steps is " + loss[1]);
    }

    @Test
    void mlpWithBatchNormAndDropoutSeparatesThreeBlobs() {
        Generator.manualSeed(2);
        int perClass = 40;
        float[][] centres = {{2, 0}, {-1, 1.7f}, {-1, -1.7f}};
        Tensor noise = Tensor.randn(3 * perClass, 2);
        float[] xs = noise.toFloatArray();
        long[] ys = new long[3 * perClass];
        for (int i = 0; i < ys.length; i++) {
            int c = i % 3;
            ys[i] = c;
            xs[2 * i] = xs[2 * i] * 0.5f + centres[c][0];
            xs[2 * i + 1] = xs[2 * i + 1] * 0.5f + centres[c][1];
        }
        Tensor x = Tensor.wrap(xs, 3 * perClass, 2);
        Tensor y = Tensor.wrap(ys, 3 * perClass);
        Sequential net = new Sequential(new Linear(2, 16), new BatchNorm1d(16), new ReLU(), new Dropout(0.1),
                new Linear(16, 3));
        Optimizer opt = new AdamW(net.parameters(), 0.05);
        StepLR schedule = new StepLR(opt, 50, 0.5);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = 0; i < 150; i++) {
            double[] l = train(net, opt, new CrossEntropyLoss(), x, y, 1);
            schedule.step();
            first = i == 0 ? l[0] : first;
            last = l[1];
        }
        assertTrue(last < 0.5 * first && last < 0.3, "loss " + first + " -> " + last);
        assertTrue(accuracy(net, x, y) > 0.95, "training accuracy in eval mode");
    }

    @Test
    void convNetTellsHorizontalFromVerticalBars() {
        Generator.manualSeed(3);
        int n = 16;
        float[] images = new float[n * 36];
        long[] labels = new long[n];
        for (int k = 0; k < n; k++) {
            boolean vertical = k % 2 == 1;
            int line = k / 2 % 6;
            labels[k] = vertical ? 1 : 0;
            for (int i = 0; i < 6; i++) {
                images[k * 36 + (vertical ? i * 6 + line : line * 6 + i)] = 1f;
            }
        }
        Tensor x = Tensor.wrap(images, n, 1, 6, 6);
        Tensor y = Tensor.wrap(labels, n);
        Sequential net = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(36, 2));
        double[] loss = train(net, SGD.builder(net.parameters(), 0.1).momentum(0.9).build(), new CrossEntropyLoss(),
                x, y, 60);
        assertTrue(loss[1] < 0.1, "conv net loss " + loss[0] + " -> " + loss[1]);
        assertEquals(1.0, accuracy(net, x, y));
    }
}
