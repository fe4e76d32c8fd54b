package dev.ember.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The confusion matrix as a heat map: rows are true classes, columns predicted ones, each cell shaded
 * by its share of the row (so a rare class's mistakes show as clearly as a common one's) and labelled
 * with its count while the cells are large enough to hold text.
 */
final class ConfusionHeatMap {
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final int PAD = 12;
    private static final Color LOW = new Color(0xf7fbff);
    private static final Color HIGH = new Color(0x08306b);

    private ConfusionHeatMap() {
    }

    static BufferedImage render(FinalEvaluation eval) {
        int n = eval.numClasses();
        List<String> names = eval.classNames();
        int cell = Math.max(14, Math.min(56, 560 / n));
        FontMetrics fm = metrics(LABEL);
        int labelWidth = names.stream().mapToInt(fm::stringWidth).max().orElse(0);
        int titleHeight = fm.getHeight() + PAD;
        int left = PAD + titleHeight + labelWidth + PAD;
        int top = PAD + titleHeight;
        int width = left + n * cell + PAD;
        int height = top + n * cell + PAD + labelWidth + titleHeight;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            drawCells(g, eval, left, top, cell);
            drawLabels(g, names, left, top, cell, labelWidth);
            drawTitles(g, left, top, n * cell, height);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawCells(Graphics2D g, FinalEvaluation eval, int left, int top, int cell) {
        int n = eval.numClasses();
        boolean counts = cell >= 28;
        g.setFont(LABEL);
        FontMetrics fm = g.getFontMetrics();
        for (int t = 0; t < n; t++) {
            long support = eval.support(t);
            for (int p = 0; p < n; p++) {
                long count = eval.confusion()[t][p];
                double share = support == 0 ? 0 : (double) count / support;
                int x = left + p * cell;
                int y = top + t * cell;
                g.setColor(blend(share));
                g.fillRect(x, y, cell, cell);
                g.setColor(Color.LIGHT_GRAY);
                g.drawRect(x, y, cell, cell);
                if (counts) {
                    String s = Long.toString(count);
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    int baseline = y + (cell + fm.getAscent() - fm.getDescent()) / 2;
                    g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, baseline);
                }
            }
        }
    }

    /** Row names right-aligned on the left, column names turned to read upwards under the grid. */
    private static void drawLabels(Graphics2D g, List<String> names, int left, int top, int cell, int labelWidth) {
        g.setColor(Color.BLACK);
        g.setFont(LABEL);
        FontMetrics fm = g.getFontMetrics();
        int n = names.size();
        int gridBottom = top + n * cell;
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            int baseline = top + i * cell + (cell + fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(name, left - PAD / 2 - fm.stringWidth(name), baseline);
            AffineTransform saved = g.getTransform();
            g.translate(left + i * cell + (cell + fm.getAscent() - fm.getDescent()) / 2, gridBottom + PAD / 2);
            g.rotate(-Math.PI / 2);
            g.drawString(name, -fm.stringWidth(name), 0);
            g.setTransform(saved);
        }
    }

    private static void drawTitles(Graphics2D g, int left, int top, int gridSize, int height) {
        g.setFont(TITLE);
        FontMetrics fm = g.getFontMetrics();
        String predicted = "predicted class";
        g.drawString(predicted, left + (gridSize - fm.stringWidth(predicted)) / 2, height - PAD);
        String truth = "true class";
        AffineTransform saved = g.getTransform();
        g.translate(PAD + fm.getAscent(), top + (gridSize + fm.stringWidth(truth)) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(truth, 0, 0);
        g.setTransform(saved);
    }

    private static Color blend(double share) {
        return new Color(mix(LOW.getRed(), HIGH.getRed(), share), mix(LOW.getGreen(), HIGH.getGreen(), share),
                mix(LOW.getBlue(), HIGH.getBlue(), share));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    private static FontMetrics metrics(Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }
}
