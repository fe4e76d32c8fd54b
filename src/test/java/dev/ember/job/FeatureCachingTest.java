package dev.ember.job;

import dev.ember.io.SafeTensors;
import dev.ember.models.LeNet5;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * feature_cache in an in-process transfer job (LeNet-5 with pretrained weights, frozen up to a new
 * head, 300 digits): the cached run trains the same model as the uncached one, and the console says
 * once whether the cache is used and, if not, why.
 */
class FeatureCachingTest {
    @TempDir
    static Path tmp;
    private static Path pretrained;

    @BeforeAll
    static void pretrain() {
        Generator.manualSeed(5);
        pretrained = tmp.resolve("pretrained.safetensors");
        SafeTensors.write(pretrained, LeNet5.mnist().stateDict(), Map.of());
    }

    private record Run(List<EpochMetrics> history, Map<String, Tensor> model, String console) {
    }

    private static Run run(String name, Map<String, String> overrides) {
        Path out = tmp.resolve(name);
        List<String> lines = new ArrayList<>(List.of("name = " + name, "model = lenet5", "pretrained = " + pretrained,
                "head = classifier.4", "freeze = features,classifier.0,classifier.2", "train = data/digits/train",
                "train_subset = 300", "validation_split = 0.05", "epochs = 2", "batch_size = 32", "optimizer = sgd",
                "lr = 0.05", "momentum = 0.9", "normalize_mean = 0.1307", "normalize_std = 0.3081", "engine = local",
                "out = " + out));
        JobConfig job = JobConfig.parse(name, lines, overrides);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<EpochMetrics> history;
        try (RunWriter w = RunWriter.create(job)) {
            history = LocalTraining.run(job, w, false, new PrintStream(console));
        }
        return new Run(history, SafeTensors.read(out.resolve("model.safetensors")).tensors(), console.toString());
    }

    private static long lines(String log, String start) {
        return log.lines().filter(l -> l.startsWith(start)).count();
    }

    @Test
    void theCachedJobTrainsTheSameHeadAsTheWholeModel() {
        Run cached = run("cached", Map.of());
        Run whole = run("whole", Map.of("feature_cache", "false"));
        assertTrue(cached.console().contains("feature cache: features.0..classifier.3 computed once for 300 train + "
                + "400 validation images in "), cached.console());
        assertTrue(cached.console().contains("(84 floats each); epochs train classifier.4 only"), cached.console());
        assertEquals(1, lines(cached.console(), "feature cache:"));
        assertTrue(whole.console().contains("feature cache: off (feature_cache = false); every step runs the whole model"),
                whole.console());
        for (var e : whole.model().entrySet()) {
            float[] a = e.getValue().toFloatArray();
            float[] b = cached.model().get(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, e.getKey() + "[" + i + "]");
            }
        }
        for (int epoch = 0; epoch < 2; epoch++) {
            assertEquals(whole.history().get(epoch).valAccuracy(), cached.history().get(epoch).valAccuracy());
            assertEquals(whole.history().get(epoch).trainLoss(), cached.history().get(epoch).trainLoss(), 1e-5);
        }
    }

    @Test
    void augmentationRunsTheWholeModelAndSaysWhy() {
        Run augmented = run("augmented", Map.of("augment", "true", "epochs", "1"));
        assertTrue(augmented.console().contains("feature cache: off (augment = true changes the training images every "
                + "epoch); every step runs the whole model"), augmented.console());
        assertEquals(1, lines(augmented.console(), "feature cache:"));
        Run scratch = run("scratch", Map.of("pretrained", "", "freeze", "", "head", "", "epochs", "1"));
        assertEquals(0, lines(scratch.console(), "feature cache:"), "nothing frozen, nothing to say: " + scratch.console());
    }
}
