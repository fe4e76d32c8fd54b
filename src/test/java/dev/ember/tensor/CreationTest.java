package dev.ember.tensor;

import static dev.ember.TestTensors.assertLongs;
import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import dev.ember.tensor.random.Generator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Factories: values, shapes and dtypes as torch.arange/eye/full/ones/zeros/*_like/rand* give them. */
class CreationTest {

    @Test
    void arangeWithIntegersIsInt64() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertLongs(a, 0, 1, 2, 3, 4);
        assertLongs(Tensor.arange(2, 9, 3), 2, 5, 8);
        assertLongs(Tensor.arange(10, 0, -3), 10, 7, 4, 1);
        assertEquals(0, Tensor.arange(0).numel());
        assertEquals(0, Tensor.arange(5, 2, 1).numel());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 5, 0));
    }

    @Test
    void arangeWithRealsIsFloat32() {
        Tensor a = Tensor.arange(0.0, 1.0, 0.25);
        assertEquals(DType.FLOAT32, a.dtype());
        assertValues(a, 0, 0.25f, 0.5f, 0.75f);
        assertValues(Tensor.arange(1.0, 2.01, 0.5), 1, 1.5f, 2); // ceil((2.01 - 1) / 0.5) = 3 elements
        assertValues(Tensor.arange(1.0, -0.5, -0.5), 1, 0.5f, 0);
    }

    @Test
    void eyeFullOnesZeros() {
        Tensor e = Tensor.eye(3);
        assertShape(e, 3, 3);
        assertValues(e, 1, 0, 0, 0, 1, 0, 0, 0, 1);
        Tensor f = Tensor.full(2.5, 2, 2);
        assertEquals(DType.FLOAT32, f.dtype());
        assertValues(f, 2.5f, 2.5f, 2.5f, 2.5f);
        assertValues(Tensor.ones(3), 1, 1, 1);
        assertValues(Tensor.zeros(2, 2), 0, 0, 0, 0);
        assertShape(Tensor.zeros(), new int[0]);
        assertEquals(1, Tensor.zeros().numel());
        assertShape(Tensor.zeros(2, 0, 3), 2, 0, 3);
        assertEquals(0, Tensor.zeros(2, 0, 3).numel());
        assertEquals(-4, Tensor.scalar(-4).item());
        assertThrows(ShapeException.class, () -> Tensor.zeros(2, -1));
    }

    @Test
    void likeFactoriesKeepShapeAndDtype() {
        Tensor i = Tensor.arange(6).view(2, 3);
        Tensor z = Tensor.zerosLike(i);
        assertEquals(DType.INT64, z.dtype());
        assertShape(z, 2, 3);
        assertLongs(z, 0, 0, 0, 0, 0, 0);
        Tensor o = Tensor.onesLike(i);
        assertEquals(DType.INT64, o.dtype());
        assertLongs(o, 1, 1, 1, 1, 1, 1);
        Tensor f = Tensor.fullLike(Tensor.zeros(2), 7);
        assertEquals(DType.FLOAT32, f.dtype());
        assertValues(f, 7, 7);
        assertShape(Tensor.randLike(Tensor.zeros(4, 1)), 4, 1);
        assertShape(Tensor.randnLike(Tensor.zeros(4, 1)), 4, 1);
        // the like factories ignore requires_grad and history
        Tensor x = Tensor.of(1, 2).requiresGrad(true);
        assertTrue(!Tensor.zerosLike(x.mul(2)).requiresGrad());
    }

    @Test
    void wrapAndOfShapes() {
        assertShape(Tensor.wrap(new float[6], -1, 2), 3, 2);
        assertShape(Tensor.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}), 3, 2);
        assertEquals(4, Tensor.of(new float[][] {{1, 2}, {3, 4}}).get(1, 1));
        assertThrows(ShapeException.class, () -> Tensor.wrap(new float[5], 2, 3));
        assertThrows(ShapeException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertEquals(DType.INT64, Tensor.ofLongs(1, 2).dtype());
    }

    @Test
    void seededRandMatchesPyTorch() {
        // torch.manual_seed(0); torch.rand(4) -> 0.4963, 0.7682, 0.0885, 0.1320
        Generator.manualSeed(0);
        assertValues(Tensor.rand(2, 2), 0.4962566f, 0.7682218f, 0.08847743f, 0.13203049f);
        // torch.manual_seed(0); torch.randn(4) -> 1.5410, -0.2934, -2.1788, 0.5684
        Generator.manualSeed(0);
        assertValues(Tensor.randn(4), 1.5409961f, -0.2934289f, -2.1787894f, 0.56843126f);
    }

    @Test
    void randIsInTheUnitInterval() {
        Generator.manualSeed(3);
        for (float v : Tensor.rand(10_000).toFloatArray()) {
            assertTrue(v >= 0 && v < 1, "rand value " + v);
        }
    }

    @Test
    void randintStaysInItsRange() {
        Generator.manualSeed(1);
        Tensor r = Tensor.randint(-3, 4, 5000);
        assertEquals(DType.INT64, r.dtype());
        long[] values = r.toLongArray();
        boolean[] seen = new boolean[7];
        for (long v : values) {
            assertTrue(v >= -3 && v < 4, "randint value " + v);
            seen[(int) (v + 3)] = true;
        }
        for (boolean s : seen) {
            assertTrue(s, "every value in [-3, 4) occurs in 5000 draws");
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.randint(2, 2, 3));
        // torch.manual_seed(0); torch.randint(0, 10, (8,)) -> [4, 9, 3, 0, 3, 9, 7, 3]
        Generator.manualSeed(0);
        assertLongs(Tensor.randint(0, 10, 8), 4, 9, 3, 0, 3, 9, 7, 3);
    }

    @Test
    void randpermIsAPermutation() {
        Generator.manualSeed(5);
        Tensor p = Tensor.randperm(100);
        assertEquals(DType.INT64, p.dtype());
        long[] sorted = p.toLongArray();
        Arrays.sort(sorted);
        long[] expected = new long[100];
        Arrays.setAll(expected, i -> i);
        assertArrayEquals(expected, sorted);
        // torch.manual_seed(0); torch.randperm(10) -> [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
        Generator.manualSeed(0);
        assertLongs(Tensor.randperm(10), 4, 1, 7, 5, 3, 9, 0, 8, 6, 2);
    }

    @Test
    void conversions() {
        Tensor f = Tensor.of(1.7f, -1.7f, 0);
        assertLongs(f.to(DType.INT64), 1, -1, 0); // truncation toward zero, as a C cast
        Tensor b = f.to(DType.BOOL);
        assertEquals(DType.BOOL, b.dtype());
        assertValues(b, 1, 1, 0);
        assertValues(Tensor.arange(3).to(DType.FLOAT32), 0, 1, 2);
        assertEquals(2L, (long) Tensor.ofLongs(2).item());
        assertThrows(IllegalStateException.class, () -> Tensor.of(1, 2).item());
    }
}
