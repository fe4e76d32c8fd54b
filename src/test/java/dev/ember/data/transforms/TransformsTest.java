package dev.ember.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.ImageShape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Small hand-checked images; expected values are worked out in the comments. */
class TransformsTest {
    private static final float EPS = 1e-6f;

    private static FloatImage grey(int h, int w, float... values) {
        return new FloatImage(values, 1, h, w);
    }

    private static FloatImage ramp(int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return new FloatImage(d, c, h, w);
    }

    @Test
    void toTensorTurnsHwcBytesIntoChwUnitFloats() {
        // 1x2 RGB: pixel 0 = (0, 255, 51), pixel 1 = (128, 1, 254).
        byte[] hwc = {0, (byte) 255, 51, (byte) 128, 1, (byte) 254};
        FloatImage image = ToTensor.fromHwc(hwc, 1, 2, 3);
        assertEquals(new ImageShape(3, 1, 2), image.shape());
        assertArrayEquals(new float[] {0f, 128 / 255f, 1f, 1 / 255f, 51 / 255f, 254 / 255f}, image.data());
        assertThrows(IllegalArgumentException.class, () -> ToTensor.fromHwc(new byte[5], 1, 2, 3));
    }

    @Test
    void normalizeSubtractsMeanAndDividesByStdPerChannel() {
        FloatImage image = new FloatImage(new float[] {0.5f, 1f, 0f, 0.25f}, 2, 1, 2);
        FloatImage out = new Normalize(new float[] {0.5f, 0.25f}, new float[] {0.5f, 0.25f}).apply(image, 0L);
        assertSame(image, out, "in place");
        assertArrayEquals(new float[] {0f, 1f, -1f, 0f}, out.data());
        Normalize rgb = new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rgb.outputShape(new ImageShape(1, 28, 28)));
        assertEquals("Normalize has 3 means but images have 1 channels (1x28x28)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
    }

    @Test
    void resizeUpsamplesBilinearlyLikePyTorchWithoutAlignCorners() {
        // torch.nn.functional.interpolate([[0,1],[2,3]], size=(4,4), mode="bilinear", align_corners=False):
        // source coordinate of output d is max(0, (d + 0.5) / 2 - 0.5) = 0, 0.25, 0.75, 1.25 (clamped to the edge).
        FloatImage out = new Resize(4, 4).apply(grey(2, 2, 0, 1, 2, 3), 0L);
        assertArrayEquals(new float[] {
                0.0f, 0.25f, 0.75f, 1.0f,
                0.5f, 0.75f, 1.25f, 1.5f,
                1.5f, 1.75f, 2.25f, 2.5f,
                2.0f, 2.25f, 2.75f, 3.0f}, out.data(), EPS);
        assertEquals(new ImageShape(3, 7, 9), new Resize(7, 9).outputShape(new ImageShape(3, 28, 28)));
    }

    @Test
    void resizeDownsamplesByHalvingToPixelPairAverages() {
        // 4 -> 2: source coordinates (d + 0.5) * 2 - 0.5 = 0.5, 2.5: the mean of each pair.
        FloatImage out = new Resize(1, 2).apply(grey(1, 4, 0, 2, 4, 8), 0L);
        assertArrayEquals(new float[] {1f, 6f}, out.data(), EPS);
    }

    @Test
    void centerCropUsesPythonRoundingAndPadsWithZeros() {
        FloatImage image = ramp(1, 4, 5);
        // H=4 -> 2: top = round(1.0) = 1; W=5 -> 2: left = round(1.5) = 2 (half to even).
        assertArrayEquals(new float[] {7, 8, 12, 13}, new CenterCrop(2, 2).apply(image, 0L).data());
        // W=5 -> 4: left = round(0.5) = 0 (half to even, not 1).
        assertArrayEquals(new float[] {5, 6, 7, 8}, new CenterCrop(1, 4).apply(ramp(1, 3, 5), 0L).data());
        // 2x2 -> 3x4: pad (3-2)/2 = 0 rows above, 1 below; (4-2)/2 = 1 column left, 1 right.
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 2, 3, 0, 0, 0, 0, 0},
                new CenterCrop(3, 4).apply(grey(2, 2, 0, 1, 2, 3), 0L).data());
    }

    @Test
    void horizontalFlipMirrorsEveryRowOfEveryChannel() {
        FloatImage image = ramp(2, 2, 3);
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9},
                new RandomHorizontalFlip(1.0).apply(image, 0L).data());
        FloatImage untouched = ramp(1, 1, 3);
        assertArrayEquals(new float[] {0, 1, 2}, new RandomHorizontalFlip(0.0).apply(untouched, 0L).data());
    }

    @Test
    void rotationBy90DegreesTurnsCounterClockwise() {
        // 1 2 3        3 6 9
        // 4 5 6   ->   2 5 8
        // 7 8 9        1 4 7
        FloatImage out = new RandomRotation(90, 90).apply(grey(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9), 0L);
        assertArrayEquals(new float[] {3, 6, 9, 2, 5, 8, 1, 4, 7}, out.data(), EPS);
        // An even size turns about the centre between pixels: 2x2 [[1,2],[3,4]] by -90 (clockwise) -> [[3,1],[4,2]].
        assertArrayEquals(new float[] {3, 1, 4, 2}, RandomRotation.rotate(grey(2, 2, 1, 2, 3, 4), -90).data(), EPS);
        // 180 degrees in a 1x3 row reverses it.
        assertArrayEquals(new float[] {3, 2, 1}, RandomRotation.rotate(grey(1, 3, 1, 2, 3), 180).data(), EPS);
    }

    @Test
    void smallRotationsKeepTheCentreAndFillCornersWithZero() {
        float[] ones = new float[5 * 5];
        Arrays.fill(ones, 1f);
        FloatImage out = RandomRotation.rotate(grey(5, 5, ones), 10);
        assertEquals(1f, out.get(0, 2, 2), EPS);
        assertTrue(out.get(0, 0, 0) < 1f, "a corner samples from outside the image");
        FloatImage drawn = new RandomRotation(15).apply(grey(5, 5, ones.clone()), 3L);
        assertEquals(1f, drawn.get(0, 2, 2), EPS);
    }

    @Test
    void randomResizedCropWithFullScaleAndSquareRatioIsAPlainResize() {
        FloatImage image = ramp(1, 4, 4);
        FloatImage crop = new RandomResizedCrop(2, 2, 1.0, 1.0, 1.0, 1.0).apply(image, 5L);
        assertArrayEquals(new Resize(2, 2).apply(ramp(1, 4, 4), 0L).data(), crop.data(), EPS);
    }

    @Test
    void randomResizedCropWindowsFitAndFollowTorchvisionsFallback() {
        RandomResizedCrop crop = new RandomResizedCrop(8, 8);
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200; i++) {
            int[] w = crop.window(20, 30, random);
            assertTrue(w[0] >= 0 && w[1] >= 0 && w[2] > 0 && w[3] > 0 && w[0] + w[2] <= 20 && w[1] + w[3] <= 30, Arrays.toString(w));
            double area = (double) w[2] * w[3] / 600;
            assertTrue(area > 0.05 && area < 1.05, "area fraction " + area);
        }
        // In a 2x20 image a full-area window of ratio 1..2 is at least 4 rows high: none fits, so the fallback
        // is central with the ratio clamped: in_ratio 10 > 2 -> h = 2, w = round(2 * 2) = 4, top 0, left (20 - 4) / 2.
        RandomResizedCrop wide = new RandomResizedCrop(4, 4, 1.0, 1.0, 1.0, 2.0);
        assertArrayEquals(new int[] {0, 8, 2, 4}, wide.window(2, 20, new SplittableRandom(1)));
        assertEquals(new ImageShape(3, 8, 8), crop.outputShape(new ImageShape(3, 20, 30)));
    }

    @Test
    void composeChainsStepsAndShapes() {
        Transform pipeline = new Compose(new Resize(4, 4), new CenterCrop(2, 2), new Normalize(new float[] {1}, new float[] {2}));
        assertEquals(new ImageShape(1, 2, 2), pipeline.outputShape(new ImageShape(1, 2, 2)));
        // Resize gives the 4x4 of the PyTorch example above; its centre is 0.75 1.25 / 1.75 2.25; then (x - 1) / 2.
        assertArrayEquals(new float[] {-0.125f, 0.125f, 0.375f, 0.625f},
                pipeline.apply(grey(2, 2, 0, 1, 2, 3), 0L).data(), EPS);
    }

    @Test
    void randomTransformsAreDeterministicUnderASeed() {
        Transform augment = new Compose(new RandomResizedCrop(12, 12), new RandomHorizontalFlip(), new RandomRotation(10));
        float[] a = augment.apply(ramp(3, 16, 20), 42L).data();
        float[] b = augment.apply(ramp(3, 16, 20), 42L).data();
        float[] c = augment.apply(ramp(3, 16, 20), 43L).data();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed gives another augmentation");
        assertNotEquals(0, a.length);
    }

    @Test
    void constructorsRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Resize(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(3, -1));
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(10, -10));
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(8, 8, 0, 1, 0.75, 1.33));
        assertThrows(IllegalArgumentException.class, () -> new FloatImage(new float[3], 1, 2, 2));
    }
}
