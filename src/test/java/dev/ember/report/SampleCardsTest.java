package dev.ember.report;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SampleCardsTest {
    @Test
    void picturesKeepTheirGreyLevelsAndColoursExactly() {
        float[] grey = {0f, 0.5f, 1f, 1.5f};
        BufferedImage g = SampleCards.picture(one(grey, 1, 2, 2), 0);
        assertArrayEquals(new int[] {0, 128, 255, 255}, g.getRaster().getPixels(0, 0, 2, 2, (int[]) null));

        float[] rgb = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        BufferedImage c = SampleCards.picture(one(rgb, 3, 1, 3), 0);
        assertEquals(0xFF0000, c.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, c.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, c.getRGB(2, 0) & 0xFFFFFF);
    }

    private static ValidationSamples one(float[] image, int channels, int height, int width) {
        return new ValidationSamples(image, channels, height, width, new long[] {0}, new float[] {1}, 1);
    }
}
