package dev.ember.train;

import dev.ember.data.DataLoader;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.transforms.Normalize;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.models.LeNet5;
import dev.ember.models.MLP;
import dev.ember.nn.Module;
import dev.ember.optim.SGD;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains on the real embedded digits (data/digits: 8,000 train / 2,000 held out) with a small budget
 * and checks the models generalise. The full runs (MLP ≥ 96%, LeNet-5 ≥ 97.5%) are in BENCHMARKS.md.
 */
class DigitsTrainingTest {
    private static ParquetImageDataset train;
    private static ParquetImageDataset validation;

    @BeforeAll
    static void open() {
        train = ParquetImageDataset.open(Path.of("data/digits/train"));
        validation = ParquetImageDataset.open(Path.of("data/digits/val"));
    }

    private static DataLoader loader(ParquetImageDataset data, boolean shuffle) {
        return DataLoader.builder(data).batchSize(64).shuffle(shuffle).seed(0)
                .transform(new Normalize(new float[] {0.1307f}, new float[] {0.3081f})).build();
    }

    private static List<EpochMetrics> fit(Module model, int epochs) {
        Trainer trainer = Trainer.builder(model, SGD.builder(model.parameters(), 0.05).momentum(0.9).build(),
                new CrossEntropyLoss(), 10).epochs(epochs).build();
        return trainer.fit(loader(train, true), loader(validation, false));
    }

    @Test
    void mlpLearnsDigitsAndGeneralises() {
        Generator.manualSeed(0);
        List<EpochMetrics> history = fit(new MLP(784, 256, 10), 3);
        assertEquals(3, history.size());
        EpochMetrics last = history.get(2);
        assertTrue(last.trainLoss() < history.get(0).trainLoss(), "training loss falls: " + history);
        assertTrue(last.valAccuracy() >= 0.94, "held-out accuracy after 3 epochs: " + last.valAccuracy());
    }

    @Test
    void lenetLearnsDigitsAndGeneralises() {
        Generator.manualSeed(0);
        List<EpochMetrics> history = fit(LeNet5.mnist(), 2);
        assertTrue(history.get(1).valAccuracy() >= 0.93, "held-out accuracy after 2 epochs: " + history.get(1));
    }

    @Test
    void evaluationCountsEveryHeldOutImage() {
        Generator.manualSeed(0);
        Module model = new MLP(784, 32, 10);
        Evaluation e = Trainer.evaluate(model, new CrossEntropyLoss(), loader(validation, false),
                dev.ember.core.Device.cpu(), 10);
        assertEquals(2000, e.count());
        long total = 0;
        for (long[] row : e.confusion()) {
            for (long v : row) {
                total += v;
            }
        }
        assertEquals(2000, total);
        long diagonal = 0;
        for (int i = 0; i < 10; i++) {
            diagonal += e.confusion()[i][i];
        }
        assertEquals(e.correct(), diagonal);
    }
}
