package dev.ember.report;

import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reports of runs that overfit, ran without validation, or have not finished. */
class ReportEdgeCasesTest {
    @TempDir
    Path dir;

    private ReportPage render(List<EpochMetrics> epochs) {
        JobFile.write(dir.resolve(RunDirectory.JOB), Map.of("model", "mlp"));
        epochs.forEach(m -> MetricsFile.append(dir.resolve(RunDirectory.METRICS), m));
        return new ReportPage(ReportWriter.render(RunDirectory.at(dir)));
    }

    @Test
    void aRisingValidationLossAfterItsBestIsCalledOverfitting() {
        double[] train = {1.0, 0.7, 0.5, 0.4, 0.3, 0.2};
        double[] val = {0.9, 0.7, 0.6, 0.65, 0.72, 0.8};
        List<EpochMetrics> epochs = new ArrayList<>();
        for (int i = 0; i < train.length; i++) {
            epochs.add(new EpochMetrics(i + 1, train[i], val[i], 0.5 + i / 20.0, 1000, 2, 0.01));
        }
        ReportPage page = render(epochs);
        assertEquals(3L, page.runData().get("best_epoch"));
        assertEquals(Boolean.TRUE, page.runData().get("overfitting"));
        assertEquals(List.of("3"), page.all("<tr data-epoch=\"(\\d+)\" class=\"best\">", page.section("epochs")));
        String warning = "<p class=\"warn\" id=\"overfitting\">Validation loss was lowest at epoch 3 (0.6000) and "
                + "rose to 0.8000 by epoch 6 while training loss kept falling (0.5000 → 0.2000): the model overfits "
                + "after epoch 3.</p>";
        assertTrue(page.section("summary").contains(warning), page.section("summary"));
    }

    @Test
    void aStillFallingValidationLossIsNotOverfitting() {
        ReportPage page = render(List.of(new EpochMetrics(1, 1, 0.9, 0.5, 1000, 2, 0.01),
                new EpochMetrics(2, 0.8, 0.7, 0.6, 1000, 2, 0.01)));
        assertEquals(2L, page.runData().get("best_epoch"));
        assertFalse(page.html.contains("id=\"overfitting\""));
    }

    @Test
    void aRunWithoutValidationOrFinalFilesStillReports() {
        ReportPage page = render(List.of(new EpochMetrics(1, 1.5, Double.NaN, Double.NaN, 900, 2, 0.1),
                new EpochMetrics(2, 1.25, Double.NaN, Double.NaN, 950, 2, 0.1)));
        assertNull(page.runData().get("best_epoch"));
        assertNull(page.runData().get("evaluation"));
        assertNull(page.runData().get("samples"));
        assertTrue(page.html.contains("<section id=\"summary\" data-best-epoch=\"\">"));
        assertTrue(page.section("summary").contains("No validation loss was recorded"));
        assertTrue(page.section("epochs")
                .contains("<td class=\"num\" data-key=\"val_loss\" data-value=\"NaN\">—</td>"));
        assertTrue(page.section("evaluation").contains("No evaluation.json in the run directory"));
        assertTrue(page.section("samples").contains("No samples.safetensors in the run directory"));
        assertEquals(2, page.pictures(page.html).size(), "loss and throughput; no accuracy to plot");
    }

    @Test
    void samplesAndEvaluationMustAgreeOnTheClasses() {
        TinyRun.write(dir);
        new FinalEvaluation(List.of("a", "b"), new long[][] {{1, 0}, {0, 1}}, 0.1, 1)
                .write(dir.resolve(RunDirectory.EVALUATION));
        RunFileException e = assertThrows(RunFileException.class, () -> ReportWriter.write(dir));
        assertEquals(dir.resolve(RunDirectory.SAMPLES) + ": probs has 3 classes but evaluation.json names 2",
                e.getMessage());
    }
}
