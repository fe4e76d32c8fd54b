package dev.ember.report;

import dev.ember.io.AtomicFiles;
import dev.ember.io.Json;
import dev.ember.train.EpochMetrics;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Writes {@code report.html} for a run directory (docs/run-directory.md): one self-contained page
 * with the job's settings, loss and accuracy curves with the best epoch marked, the per-epoch
 * numbers, throughput and time, the confusion matrix and the validation examples. Every picture is an
 * embedded PNG; the exact numbers are also in a JSON block ({@code #run-data}).
 */
public final class ReportWriter {
    static {
        // Reports are rendered on servers and Spark drivers without a display; Java2D needs no screen.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int CHART_WIDTH = 590;
    private static final int CHART_HEIGHT = 360;

    private ReportWriter() {
    }

    /** Renders the run directory's report and writes it atomically into the directory; returns its path. */
    public static Path write(Path runDir) {
        RunDirectory run = RunDirectory.at(runDir);
        Path out = run.file(RunDirectory.REPORT);
        AtomicFiles.write(out, render(run).getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** The page, as text. */
    public static String render(RunDirectory run) {
        Map<String, Object> job = run.job();
        RunSummary summary = RunSummary.of(run.metrics());
        Optional<FinalEvaluation> evaluation = run.evaluation();
        Optional<ValidationSamples> samples = run.samples();
        List<String> classNames = classNames(run, evaluation, samples);
        Optional<SampleSection> sampleSection = samples.map(s -> new SampleSection(s, classNames));

        String name = run.path().toAbsolutePath().normalize().getFileName().toString();
        StringBuilder page = new StringBuilder(PageTemplate.head("Training report: " + name));
        page.append("<body>\n<h1>Training report: ").append(Html.escape(name)).append("</h1>\n")
                .append("<p class=\"sub\">").append(Html.escape(run.path().toAbsolutePath().normalize().toString()))
                .append("</p>\n");
        page.append(summarySection(summary, evaluation));
        page.append(jobSection(job));
        page.append(curvesSection(summary));
        page.append(epochsSection(summary));
        page.append(evaluation.map(ReportWriter::evaluationSection).orElse(missing("evaluation",
                "Final evaluation", RunDirectory.EVALUATION, "the run has not finished its final validation yet")));
        page.append(sampleSection.map(SampleSection::grid).orElse(missing("samples", "Validation examples",
                RunDirectory.SAMPLES, "the run has not written its validation examples yet")));
        sampleSection.ifPresent(s -> page.append(s.mostConfidentlyWrong()));
        page.append(Html.jsonScript("run-data", Json.write(data(name, job, summary, evaluation, sampleSection))));
        page.append('\n').append(PageTemplate.imageCheckScript()).append("</body>\n</html>\n");
        return page.toString();
    }

    /** Names from evaluation.json; numbered classes when the run has samples but no evaluation yet. */
    private static List<String> classNames(RunDirectory run, Optional<FinalEvaluation> evaluation,
                                           Optional<ValidationSamples> samples) {
        if (evaluation.isPresent() && samples.isPresent()
                && samples.get().numClasses() != evaluation.get().numClasses()) {
            throw new RunFileException(run.file(RunDirectory.SAMPLES), "probs has " + samples.get().numClasses()
                    + " classes but " + RunDirectory.EVALUATION + " names " + evaluation.get().numClasses());
        }
        return evaluation.map(FinalEvaluation::classNames).orElseGet(() -> IntStream
                .range(0, samples.map(ValidationSamples::numClasses).orElse(0))
                .mapToObj(c -> "class " + c).toList());
    }

    private static String summarySection(RunSummary s, Optional<FinalEvaluation> evaluation) {
        StringBuilder sb = new StringBuilder("<section id=\"summary\" data-best-epoch=\"")
                .append(s.bestEpoch().isPresent() ? String.valueOf(s.bestEpoch().getAsInt()) : "")
                .append("\">\n<h2>Summary</h2>\n<dl class=\"figures\">\n");
        figure(sb, "Epochs", "epochs", s.epochs().size(), String.valueOf(s.epochs().size()));
        if (s.bestEpoch().isPresent()) {
            EpochMetrics best = s.epoch(s.bestEpoch().getAsInt());
            figure(sb, "Best validation loss", "best_val_loss", best.valLoss(),
                    Numbers.fixed4(best.valLoss()) + " at epoch " + best.epoch());
        }
        double accuracy = evaluation.map(FinalEvaluation::accuracy).orElse(s.last().valAccuracy());
        figure(sb, "Final validation accuracy", "final_accuracy", accuracy, Numbers.fixed4(accuracy));
        figure(sb, "Total time", "total_seconds", s.totalSeconds(), Numbers.seconds(s.totalSeconds()) + " s");
        figure(sb, "Mean throughput", "mean_images_per_sec", s.meanImagesPerSec(),
                Numbers.rate(s.meanImagesPerSec()) + " images/s");
        sb.append("</dl>\n");
        if (s.overfitting()) {
            EpochMetrics best = s.epoch(s.bestEpoch().getAsInt());
            EpochMetrics last = s.last();
            sb.append("<p class=\"warn\" id=\"overfitting\">Validation loss was lowest at epoch ").append(best.epoch())
                    .append(" (").append(Numbers.fixed4(best.valLoss())).append(") and rose to ")
                    .append(Numbers.fixed4(last.valLoss())).append(" by epoch ").append(last.epoch())
                    .append(" while training loss kept falling (").append(Numbers.fixed4(best.trainLoss()))
                    .append(" → ").append(Numbers.fixed4(last.trainLoss()))
                    .append("): the model overfits after epoch ").append(best.epoch()).append(".</p>\n");
        } else if (s.bestEpoch().isEmpty()) {
            sb.append("<p class=\"note\">No validation loss was recorded, so no best epoch can be marked.</p>\n");
        }
        return sb.append("</section>\n").toString();
    }

    private static void figure(StringBuilder sb, String label, String key, double value, String shown) {
        sb.append("<dt>").append(label).append("</dt><dd data-key=\"").append(key).append("\" data-value=\"")
                .append(Numbers.exact(value)).append("\">").append(shown).append("</dd>\n");
    }

    private static String jobSection(Map<String, Object> job) {
        StringBuilder sb = new StringBuilder("<section id=\"job\">\n<h2>Job settings</h2>\n");
        if (job.isEmpty()) {
            return sb.append("<p>job.json lists no settings.</p>\n</section>\n").toString();
        }
        sb.append("<table>\n<tr><th>setting</th><th>value</th></tr>\n");
        job.forEach((k, v) -> sb.append("<tr><td>").append(Html.escape(k)).append("</td><td>")
                .append(Html.escape(String.valueOf(v))).append("</td></tr>\n"));
        return sb.append("</table>\n</section>\n").toString();
    }

    private static String curvesSection(RunSummary s) {
        StringBuilder sb = new StringBuilder("<section id=\"curves\">\n<h2>Training curves</h2>\n"
                + "<div class=\"charts\">\n");
        sb.append(chart(Charts.loss(s, CHART_WIDTH, CHART_HEIGHT), "training and validation loss per epoch"));
        if (Charts.measured(s.epochs(), EpochMetrics::valAccuracy)) {
            sb.append(chart(Charts.accuracy(s, CHART_WIDTH, CHART_HEIGHT), "validation accuracy per epoch"));
        }
        if (Charts.measured(s.epochs(), EpochMetrics::imagesPerSec)) {
            sb.append(chart(Charts.throughput(s, CHART_WIDTH, CHART_HEIGHT * 3 / 4), "training images per second"));
        }
        return sb.append("</div>\n</section>\n").toString();
    }

    private static String chart(BufferedImage image, String alt) {
        return Html.img(Png.dataUri(image), alt, image.getWidth(), image.getHeight()) + "\n";
    }

    private static String epochsSection(RunSummary s) {
        StringBuilder sb = new StringBuilder("<section id=\"epochs\">\n<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th>"
                + "<th>train loss</th><th>val loss</th><th>val accuracy</th><th>images/s</th><th>seconds</th>"
                + "<th>learning rate</th></tr>\n");
        int best = s.bestEpoch().orElse(-1);
        for (EpochMetrics m : s.epochs()) {
            boolean isBest = m.epoch() == best;
            sb.append("<tr data-epoch=\"").append(m.epoch()).append('"').append(isBest ? " class=\"best\"" : "")
                    .append("><td class=\"num\">").append(m.epoch()).append(isBest ? " (best)" : "").append("</td>")
                    .append(Html.numberCell("train_loss", m.trainLoss(), Numbers.fixed4(m.trainLoss())))
                    .append(Html.numberCell("val_loss", m.valLoss(), Numbers.fixed4(m.valLoss())))
                    .append(Html.numberCell("val_accuracy", m.valAccuracy(), Numbers.fixed4(m.valAccuracy())))
                    .append(Html.numberCell("images_per_sec", m.imagesPerSec(), Numbers.rate(m.imagesPerSec())))
                    .append(Html.numberCell("seconds", m.seconds(), Numbers.seconds(m.seconds())))
                    .append(Html.numberCell("lr", m.lr(), Numbers.lr(m.lr())))
                    .append("</tr>\n");
        }
        return sb.append("</table>\n</section>\n").toString();
    }

    private static String evaluationSection(FinalEvaluation e) {
        StringBuilder sb = new StringBuilder("<section id=\"evaluation\">\n<h2>Final evaluation</h2>\n");
        sb.append("<dl class=\"figures\">\n");
        figure(sb, "Validation loss", "eval_loss", e.loss(), Numbers.fixed4(e.loss()));
        figure(sb, "Validation accuracy", "eval_accuracy", e.accuracy(), Numbers.fixed4(e.accuracy()));
        sb.append("</dl>\n<div class=\"charts\">\n");
        sb.append(chart(ConfusionHeatMap.render(e), "confusion matrix: true class by row, predicted class by column"));
        sb.append("<table id=\"per-class\">\n"
                + "<tr><th>class</th><th>examples</th><th>correct</th><th>recall</th></tr>\n");
        for (int c = 0; c < e.numClasses(); c++) {
            long support = e.support(c);
            long correct = e.confusion()[c][c];
            double recall = support == 0 ? Double.NaN : (double) correct / support;
            sb.append("<tr><td>").append(Html.escape(e.classNames().get(c))).append("</td><td class=\"num\">")
                    .append(support).append("</td><td class=\"num\">").append(correct).append("</td>")
                    .append(Html.numberCell("recall", recall, Numbers.fixed4(recall))).append("</tr>\n");
        }
        return sb.append("</table>\n</div>\n</section>\n").toString();
    }

    private static String missing(String id, String title, String file, String why) {
        return "<section id=\"" + id + "\">\n<h2>" + title + "</h2>\n<p class=\"note\">No " + file + " in the run "
                + "directory: " + why + ".</p>\n</section>\n";
    }

    private static Map<String, Object> data(String name, Map<String, Object> job, RunSummary s,
                                            Optional<FinalEvaluation> evaluation, Optional<SampleSection> samples) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("run", name);
        d.put("job", job);
        List<Map<String, Object>> metrics = new ArrayList<>();
        s.epochs().forEach(m -> metrics.add(m.toJson()));
        d.put("metrics", metrics);
        d.put("best_epoch", s.bestEpoch().isPresent() ? s.bestEpoch().getAsInt() : null);
        d.put("overfitting", s.overfitting());
        d.put("total_seconds", s.totalSeconds());
        d.put("mean_images_per_sec", s.meanImagesPerSec());
        d.put("evaluation", evaluation.map(FinalEvaluation::toJson).orElse(null));
        d.put("samples", samples.map(SampleSection::toJson).orElse(null));
        d.put("most_confidently_wrong", samples.map(SampleSection::mostConfidentlyWrongIndices).orElse(null));
        return d;
    }
}
