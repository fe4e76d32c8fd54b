package dev.ember.report;

import dev.ember.io.SafeTensors;
import dev.ember.tensor.Tensor;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files of docs/run-directory.md: round trips, and errors that name the file, line and field. */
class RunDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void metricsRoundTripWithNotMeasuredAsNull() throws IOException {
        Path file = dir.resolve(RunDirectory.METRICS);
        List<EpochMetrics> epochs = List.of(new EpochMetrics(1, 0.75, Double.NaN, Double.NaN, 1234.5, 3.25, 0.1),
                new EpochMetrics(2, 0.5, 0.625, 0.875, 1300, 3, 1.0 / 3));
        epochs.forEach(m -> MetricsFile.append(file, m));
        assertTrue(Files.readAllLines(file).get(0).contains("\"val_loss\":null"), Files.readString(file));
        assertEquals(epochs, MetricsFile.read(file));
    }

    @Test
    void aMalformedMetricsLineIsNamedWithItsNumberAndField() throws IOException {
        Path file = dir.resolve(RunDirectory.METRICS);
        Files.writeString(file, line(1, "0.5") + "\n" + line(2, "0.4") + "\n" + line(3, "\"high\"") + "\n");
        RunFileException e = assertThrows(RunFileException.class, () -> MetricsFile.read(file));
        assertEquals(file + " line 3: expected a number for val_loss, got the string \"high\"", e.getMessage());
    }

    @Test
    void metricsLinesMustBeJsonObjectsWithEveryKeyAndRisingEpochs() throws IOException {
        Path file = dir.resolve(RunDirectory.METRICS);
        assertProblem(file, line(1, "0.5") + "\n{\"epoch\":2", "line 2: invalid JSON at offset 10");
        assertProblem(file, "\n\n[1, 2]\n", "line 3: expected a JSON object, got an array");
        assertProblem(file, line(1, "0.5").replace(",\"lr\":0.1", ""), "line 1: missing lr");
        assertProblem(file, line(1, "0.5").replace("\"epoch\":1", "\"epoch\":1.5"),
                "line 1: expected an integer for epoch, got 1.5");
        assertProblem(file, line(0, "0.5"), "line 1: epoch must be a positive integer, got 0");
        assertProblem(file, line(2, "0.5") + "\n" + line(2, "0.4"), "line 2: epoch 2 does not follow epoch 2");
        assertProblem(file, line(1, "0.5").replace("\"val_accuracy\":0.8", "\"val_accuracy\":80"),
                "line 1: val_accuracy must lie in [0, 1], got 80.0");
        assertProblem(file, "\n", "no epochs recorded yet");
    }

    @Test
    void missingFilesAreNamedWithWhoWritesThem() {
        RunDirectory run = RunDirectory.at(dir);
        RunFileException metrics = assertThrows(RunFileException.class, run::metrics);
        assertEquals(dir.resolve("metrics.jsonl") + ": no such file (the trainer appends a line to it after each "
                + "epoch)", metrics.getMessage());
        RunFileException job = assertThrows(RunFileException.class, run::job);
        assertTrue(job.getMessage().startsWith(dir.resolve("job.json") + ": no such file"), job.getMessage());
        assertTrue(run.evaluation().isEmpty());
        assertTrue(run.samples().isEmpty());
        RunFileException none = assertThrows(RunFileException.class, () -> RunDirectory.at(dir.resolve("nope")));
        assertEquals(dir.resolve("nope") + ": no such run directory", none.getMessage());
    }

    @Test
    void jobSettingsKeepTheirOrderAndMustBeFlat() throws IOException {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("model", "lenet5");
        job.put("lr", 0.01);
        job.put("epochs", 10L);
        job.put("augment", true);
        Path file = dir.resolve(RunDirectory.JOB);
        JobFile.write(file, job);
        assertEquals(job, JobFile.read(file));
        assertEquals(List.copyOf(job.keySet()), List.copyOf(JobFile.read(file).keySet()));

        Files.writeString(file, "{\"model\":\"lenet5\",\"layers\":[6,16]}");
        RunFileException e = assertThrows(RunFileException.class, () -> JobFile.read(file));
        assertEquals(file + ": setting layers must be a string, number or boolean, got an array", e.getMessage());
    }

    @Test
    void evaluationRoundTripsFromTheTrainersEvaluation() {
        long[][] confusion = {{5, 1}, {2, 7}};
        Evaluation trained = new Evaluation(4.5, 12, 15, confusion);
        FinalEvaluation e = FinalEvaluation.of(List.of("cat", "dog"), trained);
        Path file = dir.resolve(RunDirectory.EVALUATION);
        e.write(file);
        FinalEvaluation read = FinalEvaluation.read(file);
        assertEquals(List.of("cat", "dog"), read.classNames());
        assertArrayEquals(confusion, read.confusion());
        assertEquals(0.3, read.loss());
        assertEquals(0.8, read.accuracy());
        assertEquals(9, read.support(1));
    }

    @Test
    void aConfusionMatrixMustBeSquareCountsOverTheClasses() throws IOException {
        Path file = dir.resolve(RunDirectory.EVALUATION);
        Files.writeString(file,
                "{\"class_names\":[\"a\",\"b\"],\"confusion\":[[1,2],[3]],\"loss\":1,\"accuracy\":0.5}");
        assertEquals(file + ": confusion row 1 has 1 columns for 2 classes",
                assertThrows(RunFileException.class, () -> FinalEvaluation.read(file)).getMessage());
        Files.writeString(file, "{\"class_names\":[\"a\"],\"confusion\":[[1.5]],\"loss\":1,\"accuracy\":0.5}");
        assertEquals(file + ": confusion[0][0] must be an integer count, got 1.5",
                assertThrows(RunFileException.class, () -> FinalEvaluation.read(file)).getMessage());
        Files.writeString(file, "{\"class_names\":[\"a\"],\"confusion\":[[1]],\"accuracy\":0.5}");
        assertEquals(file + ": missing loss",
                assertThrows(RunFileException.class, () -> FinalEvaluation.read(file)).getMessage());
    }

    @Test
    void samplesRoundTripAndNameWhatIsWrong() {
        Path file = dir.resolve(RunDirectory.SAMPLES);
        float[] images = new float[2 * 3 * 2 * 2];
        for (int i = 0; i < images.length; i++) {
            images[i] = i / 24f;
        }
        ValidationSamples s = new ValidationSamples(images, 3, 2, 2, new long[] {1, 0},
                new float[] {0.2f, 0.7f, 0.1f, 0.5f, 0.3f, 0.2f}, 3);
        s.write(file);
        ValidationSamples read = ValidationSamples.read(file);
        assertArrayEquals(images, read.images());
        assertArrayEquals(new long[] {1, 0}, read.labels());
        assertArrayEquals(s.probs(), read.probs());
        assertEquals(3, read.numClasses());

        Map<String, Tensor> noProbs = new LinkedHashMap<>();
        noProbs.put("images", Tensor.wrap(images, 2, 3, 2, 2));
        noProbs.put("labels", Tensor.wrap(new long[] {1, 0}, 2));
        SafeTensors.write(file, noProbs, Map.of());
        assertEquals(file + ": no tensor named 'probs' (has [images, labels])",
                assertThrows(RunFileException.class, () -> ValidationSamples.read(file)).getMessage());

        noProbs.put("probs", Tensor.wrap(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2, 2));
        noProbs.put("labels", Tensor.wrap(new long[] {1, 2}, 2));
        SafeTensors.write(file, noProbs, Map.of());
        assertEquals(file + ": labels[1] = 2 is not a class in [0, 2)",
                assertThrows(RunFileException.class, () -> ValidationSamples.read(file)).getMessage());
    }

    private static String line(int epoch, String valLoss) {
        return "{\"epoch\":" + epoch + ",\"train_loss\":0.7,\"val_loss\":" + valLoss
                + ",\"val_accuracy\":0.8,\"images_per_sec\":1000,\"seconds\":2.5,\"lr\":0.1}";
    }

    private static void assertProblem(Path file, String content, String problem) throws IOException {
        Files.writeString(file, content);
        RunFileException e = assertThrows(RunFileException.class, () -> MetricsFile.read(file));
        assertTrue(e.getMessage().startsWith(file + (problem.startsWith("line") ? " " : ": ") + problem),
                e.getMessage());
    }
}
