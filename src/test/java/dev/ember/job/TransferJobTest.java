package dev.ember.job;

import dev.ember.data.importers.ImageFolderImporter;
import dev.ember.data.importers.ImportTarget;
import dev.ember.io.SafeTensors;
import dev.ember.models.LeNet5;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transfer-learning path end to end, as in the lesson's cats-and-dogs folder: a generated
 * ImageFolder tree of colour PNG and JPEG images of mixed sizes is imported (resized to 32×32),
 * then a job loads pretrained LeNet-5 weights without their head, freezes the feature extractor and
 * trains the rest; the frozen weights must not move and the new classifier must learn the classes.
 */
class TransferJobTest {
    private static final String[] CLASSES = {"blue", "green", "red"};

    private static void writeTree(Path root) throws Exception {
        Random random = new Random(7);
        for (int c = 0; c < CLASSES.length; c++) {
            Path dir = Files.createDirectories(root.resolve(CLASSES[c]));
            for (int i = 0; i < 24; i++) {
                int w = 20 + random.nextInt(40);
                int h = 20 + random.nextInt(40);
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int[] rgb = {random.nextInt(90), random.nextInt(90), random.nextInt(90)};
                        rgb[2 - c] += 150; // class 0 blue, 1 green, 2 red, under noise
                        img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
                    }
                }
                String format = i % 2 == 0 ? "png" : "jpg";
                ImageIO.write(img, format, root.resolve(CLASSES[c]).resolve(i + "." + format).toFile());
            }
        }
    }

    @Test
    void pretrainedBackboneFrozenNewHeadLearnsColourClasses(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("tree");
        writeTree(tree);
        Path data = tmp.resolve("colours");
        ImageFolderImporter.builder(tree).resize(32, 32).build()
                .importTo(ImportTarget.of(data).withValidationSplit(0.25, 0));

        Generator.manualSeed(3);
        LeNet5 pretrained = new LeNet5(10, 3, 32);
        Path weights = tmp.resolve("pretrained.safetensors");
        SafeTensors.write(weights, pretrained.stateDict(), Map.of());

        Path out = tmp.resolve("run");
        JobConfig job = JobConfig.parse("transfer-test", List.of(
                "name = transfer-test", "model = lenet5", "train = " + data.resolve("train"),
                "validation = " + data.resolve("val"), "pretrained = " + weights, "head = classifier.4",
                "freeze = features", "epochs = 8", "batch_size = 8", "optimizer = sgd", "lr = 0.02",
                "momentum = 0.9", "normalize_mean = 0.5", "normalize_std = 0.5", "engine = local", "out = " + out),
                Map.of());
        List<EpochMetrics> history;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (RunWriter w = RunWriter.create(job)) {
            history = LocalTraining.run(job, w, false, new PrintStream(console));
        }
        String log = console.toString();
        assertTrue(log.contains("kept the initialisation of [classifier.4.weight, classifier.4.bias]"), log);
        assertTrue(log.contains("froze [features]"), log);
        double accuracy = history.get(history.size() - 1).valAccuracy();
        assertTrue(accuracy >= 0.9, "the new head separates the colour classes: " + history);

        var trained = SafeTensors.read(out.resolve("model.safetensors")).tensors();
        var before = pretrained.stateDict();
        assertTrue(java.util.Arrays.equals(before.get("features.0.weight").toFloatArray(),
                trained.get("features.0.weight").toFloatArray()), "frozen conv weights unchanged");
        assertTrue(!java.util.Arrays.equals(before.get("classifier.0.weight").toFloatArray(),
                trained.get("classifier.0.weight").toFloatArray()), "unfrozen layers trained");
    }
}
