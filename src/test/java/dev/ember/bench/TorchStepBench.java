package dev.ember.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.util.Locale;

/**
 * The PyTorch baseline for {@code TrainStepBench}: the same MLP 784-256-10 and LeNet-5 training steps
 * (forward, backward, SGD with momentum) run by libtorch 2.7.1 on the CPU through DJL, in images per
 * second. DJL adds a little per-call overhead over eager PyTorch; run both in the same session.
 */
public final class TorchStepBench {
    private TorchStepBench() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        System.out.printf(Locale.ROOT, "%-28s %8s %14s%n", "model (libtorch via DJL)", "batch", "images/s");
        run("MLP 784-256-10", new SequentialBlock().add(Blocks.batchFlattenBlock(784))
                .add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()), batch);
        run("LeNet-5", new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(6).build())
                .add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build())
                .add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock(400))
                .add(Linear.builder().setUnits(120).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(84).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()), batch);
    }

    private static void run(String name, SequentialBlock net, int batch) {
        try (Model model = Model.newInstance(name, "PyTorch")) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) TrainStepBench.LR)).optMomentum(0.9f).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 1, 28, 28));
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(new Shape(batch, 1, 28, 28));
                NDArray y = m.randomInteger(0, 10, new Shape(batch), DataType.INT64);
                Runnable step = () -> {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
                        gc.backward(loss);
                    }
                    trainer.step();
                };
                int reps = Timer.calibrate(step, 0.5);
                double t = Timer.median(Timer.repeat(step, reps), 2, 5) / reps;
                System.out.printf(Locale.ROOT, "%-28s %8d %14.0f%n", name, batch, batch / t);
            }
        }
    }
}
