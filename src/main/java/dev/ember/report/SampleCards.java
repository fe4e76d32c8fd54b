package dev.ember.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.List;

/**
 * One picture per validation example, as the lesson's view_classify draws it: the image on the left,
 * its top-3 class probabilities as bars on the right.
 */
final class SampleCards {
    static final int TOP = 3;
    private static final int PICTURE = 96;
    private static final int BARS_WIDTH = 180;
    private static final int GAP = 6;

    private SampleCards() {
    }

    static BufferedImage render(ValidationSamples s, int i, List<String> classNames) {
        int[] ranking = s.ranking(i);
        int top = Math.min(TOP, ranking.length);
        float[] p = s.probs(i);
        List<String> labels = new ArrayList<>();
        double[] probs = new double[top];
        for (int r = 0; r < top; r++) {
            int c = ranking[r];
            labels.add(classNames.get(c) + (c == s.labels()[i] ? " ✓" : ""));
            probs[r] = p[c];
        }
        BufferedImage bars = Charts.topProbabilities(labels, probs, BARS_WIDTH, PICTURE + 2 * GAP);
        BufferedImage card = new BufferedImage(PICTURE + 2 * GAP + BARS_WIDTH, PICTURE + 2 * GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = card.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, card.getWidth(), card.getHeight());
            BufferedImage picture = picture(s, i);
            int scale = Math.max(picture.getWidth(), picture.getHeight());
            int w = picture.getWidth() * PICTURE / scale;
            int h = picture.getHeight() * PICTURE / scale;
            // Small images (28x28) are enlarged: keep their pixels sharp rather than blurred.
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale < PICTURE
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                    : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(picture, GAP + (PICTURE - w) / 2, GAP + (PICTURE - h) / 2, w, h, null);
            g.drawImage(bars, PICTURE + 2 * GAP, 0, null);
        } finally {
            g.dispose();
        }
        return card;
    }

    /** Example i at its own size; values outside [0, 1] are clipped. */
    static BufferedImage picture(ValidationSamples s, int i) {
        float[] px = s.image(i);
        int h = s.height();
        int w = s.width();
        int plane = h * w;
        BufferedImage img = new BufferedImage(w, h, s.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY
                : BufferedImage.TYPE_3BYTE_BGR);
        // Through the raster, not setRGB: setRGB on a grey image converts sRGB to linear grey and
        // would darken the picture.
        WritableRaster raster = img.getRaster();
        for (int c = 0; c < s.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.setSample(x, y, c, level(px[c * plane + y * w + x]));
                }
            }
        }
        return img;
    }

    private static int level(float v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
