package dev.ember.job;

import dev.ember.report.MetricsFile;
import dev.ember.report.RunDirectory;
import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short real run of a job in-process on the embedded digits: the run directory holds every file of
 * the contract, the report shows the metrics the run wrote, and a resumed run continues the metrics.
 */
class LocalRunTest {

    private static JobConfig job(Path out, int epochs) {
        return JobConfig.parse("test", List.of(
                "name = digits-test", "model = mlp", "hidden = 32", "train = data/digits/train",
                "validation = data/digits/val", "train_subset = 1000", "epochs = " + epochs, "batch_size = 50",
                "optimizer = sgd", "lr = 0.05", "momentum = 0.9", "normalize_mean = 0.1307",
                "normalize_std = 0.3081", "engine = local", "out = " + out), Map.of());
    }

    @Test
    void aRunWritesTheWholeRunDirectoryAndItsReport(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        try (RunWriter w = RunWriter.create(job(out, 2))) {
            LocalTraining.run(job(out, 2), w, false, new PrintStream(new ByteArrayOutputStream()));
        }
        for (String f : List.of("job.json", "metrics.jsonl", "model.safetensors", "evaluation.json",
                "samples.safetensors", "report.html", "checkpoints/last.safetensors")) {
            assertTrue(Files.exists(out.resolve(f)), f + " written");
        }
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")));
        }
        List<EpochMetrics> metrics = MetricsFile.read(out.resolve(RunDirectory.METRICS));
        assertEquals(2, metrics.size());
        assertTrue(metrics.get(1).valAccuracy() > 0.7, "learns from 1,000 digits: " + metrics.get(1));
        String html = Files.readString(out.resolve("report.html"));
        String accuracy = String.format(Locale.ROOT, "%.4f", metrics.get(1).valAccuracy());
        assertTrue(html.contains(accuracy), "the report shows the final validation accuracy " + accuracy);
    }

    @Test
    void resumingContinuesFromTheLastCheckpoint(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        try (RunWriter w = RunWriter.create(job(out, 1))) {
            LocalTraining.run(job(out, 1), w, false, new PrintStream(new ByteArrayOutputStream()));
        }
        try (RunWriter w = RunWriter.create(job(out, 2))) {
            LocalTraining.run(job(out, 2), w, true, new PrintStream(new ByteArrayOutputStream()));
        }
        List<EpochMetrics> resumed = MetricsFile.read(out.resolve(RunDirectory.METRICS));
        Path straight = tmp.resolve("straight");
        try (RunWriter w = RunWriter.create(job(straight, 2))) {
            LocalTraining.run(job(straight, 2), w, false, new PrintStream(new ByteArrayOutputStream()));
        }
        List<EpochMetrics> uninterrupted = MetricsFile.read(straight.resolve(RunDirectory.METRICS));
        assertEquals(2, resumed.size());
        assertEquals(uninterrupted.get(1).trainLoss(), resumed.get(1).trainLoss(), 1e-6);
        assertEquals(uninterrupted.get(1).valAccuracy(), resumed.get(1).valAccuracy(), 1e-9);
    }

    @Test
    void aCudaJobWithoutAGpuFailsClearlyOrFallsBackToTheCpu(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.ember.backend.cuda.CudaBackend.isAvailable(),
                "a GPU is present: the job would run on it");
        Path out = tmp.resolve("run");
        JobConfig strict = JobConfig.parse("test", List.of("name = d", "model = mlp", "hidden = 8",
                "train = data/digits/train", "train_subset = 200", "epochs = 1", "device = cuda",
                "engine = local", "out = " + out), Map.of());
        JobConfigException e = org.junit.jupiter.api.Assertions.assertThrows(JobConfigException.class, () -> {
            try (RunWriter w = RunWriter.create(strict)) {
                LocalTraining.run(strict, w, false, new PrintStream(new ByteArrayOutputStream()));
            }
        });
        assertTrue(e.getMessage().startsWith("test: device: cannot use the GPU cuda:0"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(set gpu_fallback = true to run on the CPU instead)"), e.getMessage());

        JobConfig lenient = JobConfig.fromEffective("test", withFallback(strict.effective()));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (RunWriter w = RunWriter.create(lenient)) {
            LocalTraining.run(lenient, w, false, new PrintStream(console));
        }
        assertTrue(console.toString().contains("gpu_fallback = true, running on the CPU"), console.toString());
        assertEquals(1, MetricsFile.read(out.resolve(RunDirectory.METRICS)).size());
    }

    private static Map<String, String> withFallback(Map<String, String> effective) {
        Map<String, String> m = new java.util.HashMap<>(effective);
        m.put("gpu_fallback", "true");
        return m;
    }
}
