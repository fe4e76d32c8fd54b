package dev.ember.report;

import dev.ember.autograd.GradMode;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.Sequential;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Evaluation;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A real, tiny training run that writes a complete run directory the way a trainer does: a linear
 * classifier learns three line patterns (horizontal, vertical, diagonal) in noisy 8x8 grey images.
 * Some validation labels are deliberately wrong so that the report has confident mistakes to show.
 */
final class TinyRun {
    static final List<String> CLASS_NAMES = List.of("horizontal", "vertical", "diagonal");
    static final int EPOCHS = 6;
    static final int SIDE = 8;
    static final int SAMPLES = 32;
    private static final int TRAIN = 60;
    private static final int VALIDATION = 45;
    private static final int BATCH = 10;
    private static final double LR = 0.5;

    private TinyRun() {
    }

    /** Trains and writes job.json, metrics.jsonl, TensorBoard events, evaluation.json and samples.safetensors. */
    static void write(Path dir) {
        Random random = new Random(11);
        Generator.manualSeed(11);
        Dataset train = dataset(TRAIN, random, 0);
        Dataset val = dataset(VALIDATION, random, 5);
        Module model = new Sequential(new Flatten(), new Linear(SIDE * SIDE, CLASS_NAMES.size()));
        SGD optimizer = SGD.builder(model.parameters(), LR).build();
        CrossEntropyLoss loss = new CrossEntropyLoss();

        Map<String, Object> job = new LinkedHashMap<>();
        job.put("model", "linear 64-3");
        job.put("optimizer", "sgd");
        job.put("lr", LR);
        job.put("epochs", EPOCHS);
        job.put("batch_size", BATCH);
        job.put("train_data", "synthetic lines <train> & co");
        job.put("seed", 11);
        JobFile.write(dir.resolve(RunDirectory.JOB), job);

        try (TensorBoardWriter tb = TensorBoardWriter.create(dir)) {
            for (int epoch = 1; epoch <= EPOCHS; epoch++) {
                long start = System.nanoTime();
                double lossSum = 0;
                int batches = 0;
                for (int b = 0; b < TRAIN; b += BATCH) {
                    Tensor x = train.images.slice(0, b, b + BATCH);
                    Tensor y = train.labels.slice(0, b, b + BATCH);
                    optimizer.zeroGrad();
                    Tensor l = loss.apply(model.forward(x), y);
                    l.backward();
                    optimizer.step();
                    lossSum += l.item();
                    batches++;
                }
                double trainSeconds = (System.nanoTime() - start) / 1e9;
                Evaluation e = evaluate(model, val);
                EpochMetrics m = new EpochMetrics(epoch, lossSum / batches, e.loss(), e.accuracy(),
                        TRAIN / trainSeconds, (System.nanoTime() - start) / 1e9, optimizer.lr());
                MetricsFile.append(dir.resolve(RunDirectory.METRICS), m);
                tb.addEpoch(m);
            }
        }
        FinalEvaluation.of(CLASS_NAMES, evaluate(model, val)).write(dir.resolve(RunDirectory.EVALUATION));
        Tensor probs;
        try (var off = GradMode.noGrad()) {
            probs = model.forward(val.images).softmax(1);
        }
        ValidationSamples.select(val.images, val.labels, probs, SAMPLES).write(dir.resolve(RunDirectory.SAMPLES));
    }

    private static Evaluation evaluate(Module model, Dataset data) {
        try (var off = GradMode.noGrad()) {
            Tensor logits = model.forward(data.images);
            int n = data.images.size(0);
            double lossSum = new CrossEntropyLoss().apply(logits, data.labels).item() * n;
            long[] predicted = logits.argmax(1, false).toLongArray();
            long[] truth = data.labels.toLongArray();
            long[][] confusion = new long[CLASS_NAMES.size()][CLASS_NAMES.size()];
            long correct = 0;
            for (int i = 0; i < n; i++) {
                confusion[(int) truth[i]][(int) predicted[i]]++;
                correct += truth[i] == predicted[i] ? 1 : 0;
            }
            return new Evaluation(lossSum, correct, n, confusion);
        }
    }

    private record Dataset(Tensor images, Tensor labels) {
    }

    /** n images cycling through the classes; the first {@code mislabelled} get the next class's label. */
    private static Dataset dataset(int n, Random random, int mislabelled) {
        float[] px = new float[n * SIDE * SIDE];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % CLASS_NAMES.size();
            int at = random.nextInt(SIDE);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    boolean on = switch (c) {
                        case 0 -> y == at;
                        case 1 -> x == at;
                        default -> x == y;
                    };
                    px[(i * SIDE + y) * SIDE + x] = on ? 0.8f + 0.2f * random.nextFloat() : 0.25f * random.nextFloat();
                }
            }
            labels[i] = i < mislabelled ? (c + 1) % CLASS_NAMES.size() : c;
        }
        return new Dataset(Tensor.wrap(px, n, 1, SIDE, SIDE), Tensor.wrap(labels, n));
    }
}
