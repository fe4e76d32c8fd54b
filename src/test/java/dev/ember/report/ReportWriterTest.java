package dev.ember.report;

import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report of a real (tiny) training run: every number, mark, name and picture checked against the run's files. */
class ReportWriterTest {
    @TempDir
    static Path runDir;
    static ReportPage page;
    static List<EpochMetrics> metrics;
    static FinalEvaluation evaluation;
    static ValidationSamples samples;

    @BeforeAll
    static void trainAndReport() throws IOException {
        TinyRun.write(runDir);
        Path report = ReportWriter.write(runDir);
        assertEquals(runDir.resolve("report.html"), report);
        page = new ReportPage(Files.readString(report, StandardCharsets.UTF_8));
        RunDirectory run = RunDirectory.at(runDir);
        metrics = run.metrics();
        evaluation = run.evaluation().orElseThrow();
        samples = run.samples().orElseThrow();
    }

    @Test
    void theJsonBlockHoldsTheMetricsExactly() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shown = (List<Map<String, Object>>) page.runData().get("metrics");
        assertEquals(TinyRun.EPOCHS, metrics.size());
        assertEquals(metrics.size(), shown.size());
        for (int i = 0; i < metrics.size(); i++) {
            EpochMetrics m = metrics.get(i);
            Map<String, Object> s = shown.get(i);
            assertEquals((long) m.epoch(), s.get("epoch"));
            assertEquals(m.trainLoss(), number(s.get("train_loss")));
            assertEquals(m.valLoss(), number(s.get("val_loss")));
            assertEquals(m.valAccuracy(), number(s.get("val_accuracy")));
            assertEquals(m.imagesPerSec(), number(s.get("images_per_sec")));
            assertEquals(m.seconds(), number(s.get("seconds")));
            assertEquals(m.lr(), number(s.get("lr")));
        }
    }

    @Test
    void theEpochTableShowsEachMetricFormattedAndCarriesItExactly() {
        Pattern row = Pattern.compile("<tr data-epoch=\"(\\d+)\"[^>]*>(.*?)</tr>");
        Pattern cell = Pattern.compile("<td class=\"num\" data-key=\"(\\w+)\" data-value=\"([^\"]*)\">([^<]*)</td>");
        Matcher rows = row.matcher(page.section("epochs"));
        int seen = 0;
        while (rows.find()) {
            EpochMetrics m = metrics.get(seen++);
            assertEquals(m.epoch(), Integer.parseInt(rows.group(1)));
            Matcher cells = cell.matcher(rows.group(2));
            Map<String, Double> expected = Map.of("train_loss", m.trainLoss(), "val_loss", m.valLoss(),
                    "val_accuracy", m.valAccuracy(), "images_per_sec", m.imagesPerSec(), "seconds", m.seconds(),
                    "lr", m.lr());
            int found = 0;
            while (cells.find()) {
                double value = expected.get(cells.group(1));
                assertEquals(value, Double.parseDouble(cells.group(2)), "exact " + cells.group(1));
                assertEquals(formatted(cells.group(1), value), cells.group(3), "shown " + cells.group(1));
                found++;
            }
            assertEquals(expected.size(), found, "cells of epoch " + m.epoch());
        }
        assertEquals(metrics.size(), seen);
    }

    @Test
    void theBestValidationEpochIsMarked() {
        EpochMetrics best = metrics.stream().min(Comparator.comparingDouble(EpochMetrics::valLoss)).orElseThrow();
        assertEquals((long) best.epoch(), page.runData().get("best_epoch"));
        assertTrue(page.html.contains("<section id=\"summary\" data-best-epoch=\"" + best.epoch() + "\">"));
        List<String> bestRows = page.all("<tr data-epoch=\"(\\d+)\" class=\"best\">", page.section("epochs"));
        assertEquals(List.of(String.valueOf(best.epoch())), bestRows);
        assertTrue(page.section("summary").contains(String.format(Locale.ROOT, "%.4f at epoch %d", best.valLoss(),
                best.epoch())));
    }

    @Test
    void throughputAndTotalTimeAreShown() {
        double total = 0;
        double rates = 0;
        for (EpochMetrics m : metrics) {
            total += m.seconds();
            rates += m.imagesPerSec();
        }
        String summary = page.section("summary");
        assertTrue(summary.contains("data-key=\"total_seconds\" data-value=\"" + total + "\">"
                + String.format(Locale.ROOT, "%.2f s", total)), summary);
        double mean = rates / metrics.size();
        assertTrue(summary.contains("data-key=\"mean_images_per_sec\" data-value=\"" + mean + "\">"
                + String.format(Locale.ROOT, "%.1f images/s", mean)), summary);
    }

    @Test
    void jobSettingsAreListedEscaped() {
        String job = page.section("job");
        assertTrue(job.contains("<tr><td>model</td><td>linear 64-3</td></tr>"), job);
        assertTrue(job.contains("<tr><td>lr</td><td>0.5</td></tr>"), job);
        assertTrue(job.contains("<tr><td>train_data</td><td>synthetic lines &lt;train&gt; &amp; co</td></tr>"), job);
    }

    @Test
    void theEvaluationShowsClassNamesConfusionAndRecall() {
        String section = page.section("evaluation");
        for (int c = 0; c < TinyRun.CLASS_NAMES.size(); c++) {
            long support = evaluation.support(c);
            long correct = evaluation.confusion()[c][c];
            String recall = String.format(Locale.ROOT, "%.4f", (double) correct / support);
            assertTrue(section.contains("<tr><td>" + TinyRun.CLASS_NAMES.get(c) + "</td><td class=\"num\">" + support
                    + "</td><td class=\"num\">" + correct + "</td>"), "row of " + TinyRun.CLASS_NAMES.get(c));
            assertTrue(section.contains(">" + recall + "</td>"));
        }
        assertTrue(section.contains("data-key=\"eval_accuracy\" data-value=\"" + evaluation.accuracy() + "\">"
                + String.format(Locale.ROOT, "%.4f", evaluation.accuracy())));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) page.runData().get("evaluation");
        assertEquals(TinyRun.CLASS_NAMES, json.get("class_names"));
        List<?> rows = (List<?>) json.get("confusion");
        for (int t = 0; t < rows.size(); t++) {
            assertEquals(Arrays.stream(evaluation.confusion()[t]).boxed().toList(), rows.get(t));
        }
        assertEquals(1, page.pictures(section).size(), "the heat map");
    }

    @Test
    void everyPictureIsAnEmbeddedPngThatDecodesAtItsStatedSize() {
        List<ReportPage.Picture> pictures = page.pictures(page.html);
        int imgTags = page.all("(<img )", page.html).size();
        assertEquals(imgTags, pictures.size(), "every img is an embedded PNG");
        long wrongShown = Math.min(SampleSection.MOST_WRONG, samples.confidentlyWrong().size());
        assertEquals(3 + 1 + TinyRun.SAMPLES + wrongShown, pictures.size(), "3 charts, heat map, grid, wrong ones");
        for (ReportPage.Picture p : pictures) {
            assertEquals(p.width(), p.image().getWidth(), p.alt());
            assertEquals(p.height(), p.image().getHeight(), p.alt());
        }
        for (String external : List.of("http:", "https:", "href=", "url(", "@import", "<link")) {
            assertFalse(page.html.contains(external), "the page refers to something outside it: " + external);
        }
    }

    @Test
    void theGridShowsEverySampleWithItsTopThree() {
        String grid = page.section("samples");
        List<String> captions = page.all("<figcaption>(.*?)</figcaption>", grid);
        assertEquals(samples.count(), captions.size());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> json = (List<Map<String, Object>>) page.runData().get("samples");
        for (int i = 0; i < samples.count(); i++) {
            int label = (int) samples.labels()[i];
            float[] p = samples.probs(i);
            int predicted = argmax(p);
            assertEquals("true <b>" + TinyRun.CLASS_NAMES.get(label) + "</b> · predicted <b>"
                    + TinyRun.CLASS_NAMES.get(predicted) + "</b> (" + String.format(Locale.ROOT, "%.4f", p[predicted])
                    + ")", captions.get(i));
            assertEquals((long) label, json.get(i).get("label"));
            assertEquals((long) predicted, json.get(i).get("predicted"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> top = (List<Map<String, Object>>) json.get(i).get("top");
            assertEquals(3, top.size());
            double previous = Double.POSITIVE_INFINITY;
            for (Map<String, Object> t : top) {
                double prob = number(t.get("probability"));
                assertEquals((double) p[(int) (long) (Long) t.get("class")], prob);
                assertTrue(prob <= previous, "top classes in descending probability");
                previous = prob;
            }
        }
    }

    @Test
    void theMostConfidentlyWrongAreWrongAndInDescendingConfidence() {
        String wrong = page.section("wrong");
        List<String> confidence = page.all("<figure class=\"sample wrong\"[^>]* data-confidence=\"([^\"]*)\">", wrong);
        assertFalse(confidence.isEmpty(), "the tiny run has mislabelled validation examples");
        assertEquals(page.all("(<figure )", wrong).size(), confidence.size(), "only wrong predictions");
        List<Double> values = confidence.stream().map(Double::parseDouble).toList();
        assertEquals(values.stream().sorted(Comparator.reverseOrder()).toList(), values);
        double mostConfidentWrong = IntStream.range(0, samples.count()).filter(samples::wrong)
                .mapToDouble(samples::confidence).max().orElseThrow();
        assertEquals(mostConfidentWrong, values.get(0));
    }

    @Test
    void theReportReplacesAnOlderOneWithoutLeavingTemporaryFiles() throws IOException {
        ReportWriter.write(runDir);
        try (Stream<Path> files = Files.list(runDir)) {
            String names = files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.joining(" "));
            assertFalse(names.contains(".tmp"), names);
        }
    }

    static double number(Object json) {
        return json == null ? Double.NaN : ((Number) json).doubleValue();
    }

    private static String formatted(String key, double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return switch (key) {
            case "images_per_sec" -> String.format(Locale.ROOT, "%.1f", v);
            case "seconds" -> String.format(Locale.ROOT, "%.2f", v);
            case "lr" -> new BigDecimal(Double.toString(v)).round(new MathContext(4)).stripTrailingZeros()
                    .toPlainString();
            default -> String.format(Locale.ROOT, "%.4f", v);
        };
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }
}
