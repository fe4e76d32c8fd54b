package dev.ember.report;

import dev.ember.train.EpochMetrics;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HorizontalBarChart;
import org.knowm.xchart.HorizontalBarChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.ToDoubleFunction;

/** The report's XChart plots, rendered to images. */
final class Charts {
    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);
    private static final Color BEST = new Color(0x2ca02c);
    private static final Color BAR = new Color(0x4c72b0);

    private Charts() {
    }

    /** Training and validation loss per epoch, with the epoch of the lowest validation loss marked. */
    static BufferedImage loss(RunSummary run, int width, int height) {
        XYChart chart = curveChart("Loss", "loss", width, height);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        addCurve(chart, "training loss", run.epochs(), EpochMetrics::trainLoss, TRAIN);
        addCurve(chart, "validation loss", run.epochs(), EpochMetrics::valLoss, VALIDATION);
        markBest(chart, run, EpochMetrics::valLoss);
        return BitmapEncoder.getBufferedImage(chart);
    }

    static BufferedImage accuracy(RunSummary run, int width, int height) {
        XYChart chart = curveChart("Validation accuracy", "accuracy", width, height);
        // Accuracy usually climbs: keep the legend out of the curve's way.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisDecimalPattern("0.0###");
        addCurve(chart, "validation accuracy", run.epochs(), EpochMetrics::valAccuracy, VALIDATION);
        markBest(chart, run, EpochMetrics::valAccuracy);
        return BitmapEncoder.getBufferedImage(chart);
    }

    static BufferedImage throughput(RunSummary run, int width, int height) {
        XYChart chart = curveChart("Training throughput", "images / s", width, height);
        addCurve(chart, "images per second", run.epochs(), EpochMetrics::imagesPerSec, TRAIN);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendVisible(false);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** True when the curve has at least one measured value to draw. */
    static boolean measured(List<EpochMetrics> epochs, ToDoubleFunction<EpochMetrics> value) {
        return epochs.stream().anyMatch(m -> Double.isFinite(value.applyAsDouble(m)));
    }

    /**
     * Horizontal bars of an example's top classes, like the lesson's view_classify; the x axis runs
     * from 0 to 1 so that bars of different examples compare at a glance. The first label is drawn on top.
     */
    static BufferedImage topProbabilities(List<String> labels, double[] probs, int width, int height) {
        HorizontalBarChart chart = new HorizontalBarChartBuilder().width(width).height(height).build();
        AxesChartStyler s = chart.getStyler();
        commonStyle(chart);
        s.setLegendVisible(false);
        s.setChartTitleVisible(false);
        s.setAxisTitlesVisible(false);
        s.setXAxisMin(0.0);
        s.setXAxisMax(1.0);
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        s.setPlotGridHorizontalLinesVisible(false);
        s.setSeriesColors(new Color[] {BAR});
        // XChart spaces the class labels of a horizontal bar chart by the X-axis hint; with the default
        // a chart this small shows one label of three.
        s.setXAxisTickMarkSpacingHint(12);
        // ... which crowds the probability axis with ticks every 0.2: label only its ends.
        chart.setCustomXAxisTickLabelsFormatter(x -> x == 0 || x == 1 ? String.format(Locale.ROOT, "%.0f", x) : "");
        List<Double> values = new ArrayList<>();
        for (double p : probs) {
            values.add(p);
        }
        chart.addSeries("probability", values, labels);
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static XYChart curveChart(String title, String yTitle, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        commonStyle(chart);
        chart.getStyler().setMarkerSize(6);
        // Epochs are whole numbers: label only whole ticks rather than 1.5, 2.5, ...
        chart.setCustomXAxisTickLabelsFormatter(x -> x == Math.rint(x) ? String.valueOf(x.longValue()) : "");
        return chart;
    }

    private static void commonStyle(Chart<?, ?> chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setAntiAlias(true);
        s.setTextAntiAlias(true);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    }

    /** A curve through the measured epochs only: NaN ("not measured") points are left out, not drawn as 0. */
    private static void addCurve(XYChart chart, String name, List<EpochMetrics> epochs,
                                 ToDoubleFunction<EpochMetrics> value, Color color) {
        List<Integer> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (EpochMetrics m : epochs) {
            double v = value.applyAsDouble(m);
            if (Double.isFinite(v)) {
                x.add(m.epoch());
                y.add(v);
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /** A vertical line at the best epoch and a large marker on the curve there, named in the legend. */
    private static void markBest(XYChart chart, RunSummary run, ToDoubleFunction<EpochMetrics> value) {
        OptionalInt best = run.bestEpoch();
        if (best.isEmpty()) {
            return;
        }
        int epoch = best.getAsInt();
        double v = value.applyAsDouble(run.epoch(epoch));
        if (!Double.isFinite(v)) {
            return;
        }
        chart.getStyler().setAnnotationLineColor(BEST);
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {6f, 4f}, 0f));
        chart.addAnnotation(new AnnotationLine(epoch, true, false));
        XYSeries mark = chart.addSeries("best validation loss: epoch " + epoch, new double[] {epoch},
                new double[] {v});
        mark.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        mark.setLineStyle(SeriesLines.NONE);
        mark.setMarker(SeriesMarkers.DIAMOND);
        mark.setMarkerColor(BEST);
    }
}
