package dev.ember.bench;

import dev.ember.loss.CrossEntropyLoss;
import dev.ember.loss.Loss;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

import java.util.Locale;

/**
 * Training-step throughput (forward, backward, SGD-momentum step) of the MLP 784-256-10 and a LeNet-5
 * on random MNIST-shaped batches, in images per second.
 */
public final class TrainStepBench {
    /**
     * Learning rate of the timed steps. Thousands of steps on one batch would drive the loss to zero
     * and the gradients into denormal floats, which x86 computes ~100x slower; a tiny rate keeps
     * every step representative of real training. TorchStepBench uses the same.
     */
    static final double LR = 1e-6;

    private TrainStepBench() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        Generator.manualSeed(0);
        System.out.printf(Locale.ROOT, "%-28s %8s %14s%n", "model", "batch", "images/s");
        run("MLP 784-256-10", new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10)), batch);
        run("LeNet-5", lenet(), batch);
    }

    static Module lenet() {
        return new Sequential(
                Conv2d.builder(1, 6, 5).padding(2).build(), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * 5 * 5, 120), new ReLU(), new Linear(120, 84), new ReLU(),
                new Linear(84, 10));
    }

    static void run(String name, Module model, int batch) {
        Tensor x = Tensor.randn(batch, 1, 28, 28);
        Tensor y = Tensor.randint(0, 10, batch);
        Loss loss = new CrossEntropyLoss();
        Optimizer opt = SGD.builder(model.parameters(), LR).momentum(0.9).build();
        Runnable step = () -> {
            opt.zeroGrad();
            loss.apply(model.forward(x), y).backward();
            opt.step();
        };
        int reps = Timer.calibrate(step, 0.5);
        double t = Timer.median(Timer.repeat(step, reps), 2, 5) / reps;
        System.out.printf(Locale.ROOT, "%-28s %8d %14.0f%n", name, batch, batch / t);
    }
}
