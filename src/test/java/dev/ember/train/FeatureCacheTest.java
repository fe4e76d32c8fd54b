package dev.ember.train;

import dev.ember.data.DataLoader;
import dev.ember.data.ImageDataset;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.Subset;
import dev.ember.data.transforms.Compose;
import dev.ember.data.transforms.Normalize;
import dev.ember.data.transforms.RandomRotation;
import dev.ember.data.transforms.Transform;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.models.LeNet5;
import dev.ember.models.SmallVGG;
import dev.ember.nn.Module;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.core.Device;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training a head on cached backbone features gives the weights and validation numbers of training the
 * whole model, on real digits: 600 shuffled training images (batch 32, the last batch smaller),
 * 300 validation images, 2 epochs of SGD with momentum.
 */
class FeatureCacheTest {
    private static final Transform NORMALIZE = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});

    private static ImageDataset digits(int from, int count) {
        return new Subset(ParquetImageDataset.open(Path.of("data/digits/val")), IntStream.range(from, from + count).toArray());
    }

    private static Module model(String name) {
        Generator.manualSeed(11);
        return switch (name) {
            case "lenet5" -> LeNet5.mnist().freeze("features", "classifier.0");
            // frozen BatchNorm in the backbone, dropout (global RNG) in the head
            default -> new SmallVGG(new int[] {4, SmallVGG.M, 8, SmallVGG.M}, true, 1, 16, 0.5, 10, 1).freeze("features");
        };
    }

    private record Run(List<EpochMetrics> history, List<Tensor> weights) {
    }

    private static Run train(String name, boolean cached) {
        Module model = model(name);
        DataLoader train = DataLoader.builder(digits(0, 600)).batchSize(32).shuffle(true).seed(5).transform(NORMALIZE)
                .build();
        DataLoader val = DataLoader.builder(digits(600, 300)).batchSize(128).transform(NORMALIZE).build();
        Trainer.Builder b = Trainer.builder(model, SGD.builder(model.trainableParameters(), 0.05).momentum(0.9).build(),
                new CrossEntropyLoss(), 10).epochs(2);
        if (cached) {
            b.featureCache(new FeatureCache(FrozenPrefix.of(model), Device.cpu()));
        }
        Generator.manualSeed(12);
        return new Run(b.build().fit(train, val), model.parameters());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "small-vgg"})
    void cachedTrainingEqualsTrainingTheWholeModel(String name) {
        Run whole = train(name, false);
        Run cached = train(name, true);
        double worst = 0;
        for (int i = 0; i < whole.weights().size(); i++) {
            float[] a = whole.weights().get(i).toFloatArray();
            float[] b = cached.weights().get(i).toFloatArray();
            for (int j = 0; j < a.length; j++) {
                worst = Math.max(worst, Math.abs(a[j] - b[j]));
            }
        }
        assertTrue(worst <= 1e-5, name + ": max |weight difference| " + worst);
        assertTrue(whole.history().get(1).trainLoss() < whole.history().get(0).trainLoss(), "it trains: "
                + whole.history());
        for (int e = 0; e < 2; e++) {
            EpochMetrics w = whole.history().get(e);
            EpochMetrics c = cached.history().get(e);
            assertEquals(w.trainLoss(), c.trainLoss(), 1e-5, "train loss, epoch " + (e + 1));
            assertEquals(w.valLoss(), c.valLoss(), 1e-5, "val loss, epoch " + (e + 1));
            assertEquals(w.valAccuracy(), c.valAccuracy(), "val accuracy, epoch " + (e + 1));
        }
    }

    @Test
    void featuresAreComputedOncePerLoaderAndNeverForRandomPipelines() {
        Module lenet = model("lenet5");
        FeatureCache cache = new FeatureCache(FrozenPrefix.of(lenet), Device.cpu());
        DataLoader val = DataLoader.builder(digits(0, 40)).batchSize(16).transform(NORMALIZE).build();
        Features f = cache.of(val);
        assertTrue(f == cache.of(val));
        assertEquals(40, f.size());
        assertEquals(List.of(120), IntStream.of(f.sampleShape()).boxed().toList(), "after classifier.1 (ReLU)");
        DataLoader augmenting = DataLoader.builder(digits(0, 40)).batchSize(16)
                .transform(new Compose(new RandomRotation(10), NORMALIZE)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.of(augmenting));
        assertEquals("cannot cache features of a loader with a random transform: its images change every epoch",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FeatureCache(FrozenPrefix.of(LeNet5.mnist()), Device.cpu()));
    }
}
