package dev.ember.tensor;

import static dev.ember.TestTensors.assertLongs;
import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.core.ShapeException;
import org.junit.jupiter.api.Test;

/** Elementwise values: broadcasting, dtype promotion, comparisons, where, in-place variants. */
class ElementwiseValuesTest {

    @Test
    void broadcastingAddsAlongTheRightDims() {
        Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertValues(m.add(Tensor.of(10, 20, 30)), 11, 22, 33, 14, 25, 36);
        assertValues(m.add(Tensor.of(100, 200).view(2, 1)), 101, 102, 103, 204, 205, 206);
        Tensor outer = Tensor.of(1, 2).view(2, 1).mul(Tensor.of(1, 10, 100));
        assertShape(outer, 2, 3);
        assertValues(outer, 1, 10, 100, 2, 20, 200);
        Tensor threeD = Tensor.zeros(2, 1, 3).add(Tensor.of(1, 2, 3, 4).view(4, 1));
        assertShape(threeD, 2, 4, 3);
        assertEquals(4, threeD.get(1, 3, 2));
        assertValues(m.mul(Tensor.scalar(2)), 2, 4, 6, 8, 10, 12);
        assertShape(Tensor.scalar(1).add(Tensor.scalar(2)), new int[0]);
    }

    @Test
    void arithmeticValues() {
        Tensor x = Tensor.of(1, -2, 4);
        Tensor y = Tensor.of(2, 4, -8);
        assertValues(x.sub(y), -1, -6, 12);
        assertValues(x.div(y), 0.5f, -0.5f, -0.5f);
        assertValues(x.add(y, 0.5), 2, 0, 0);
        assertValues(x.rsub(1), 0, 3, -3);
        assertValues(x.pow(2), 1, 4, 16);
        assertValues(Tensor.of(4, 9).pow(0.5), 2, 3);
        assertValues(Tensor.of(0, 1, 3).rpow(2), 1, 2, 8);
        assertValues(Tensor.of(2, 3).pow(Tensor.of(3, 2)), 8, 9);
        assertValues(x.maximum(y), 2, 4, 4);
        assertValues(x.minimum(y), 1, -2, -8);
        assertValues(x.abs(), 1, 2, 4);
        assertValues(x.neg(), -1, 2, -4);
        assertValues(x.sign(), 1, -1, 1);
        assertValues(x.relu(), 1, 0, 4);
        assertValues(x.leakyRelu(0.1), 1, -0.2f, 4);
        assertValues(x.clamp(-1, 2), 1, -1, 2);
        assertValues(x.clampMin(0), 1, 0, 4);
        assertValues(x.clampMax(0), 0, -2, 0);
        assertValues(x.square(), 1, 4, 16);
        assertValues(Tensor.of(2, 4).reciprocal(), 0.5f, 0.25f);
        assertValues(Tensor.of(0).exp(), 1);
        assertValues(Tensor.of(1).log(), 0);
        assertValues(Tensor.of(0).sigmoid(), 0.5f);
        assertValues(Tensor.of(0).tanh(), 0);
        assertValues(Tensor.of(-1, 0, 1).sign(), -1, 0, 1);
        assertTrue(Float.isNaN(Tensor.of(-1).sqrt().toFloatArray()[0]));
        assertTrue(Float.isNaN(Tensor.of(Float.NaN, 1).maximum(Tensor.of(0, Float.NaN)).toFloatArray()[0]));
        assertTrue(Float.isNaN(Tensor.of(Float.NaN).relu().toFloatArray()[0]), "relu propagates NaN as PyTorch");
        assertTrue(Float.isNaN(Tensor.of(Float.NaN).clamp(0, 1).toFloatArray()[0]), "clamp propagates NaN");
    }

    @Test
    void dtypePromotion() {
        Tensor i = Tensor.arange(3);
        Tensor f = Tensor.of(0.5f);
        Tensor sum = i.add(f);
        assertEquals(DType.FLOAT32, sum.dtype());
        assertValues(sum, 0.5f, 1.5f, 2.5f);
        assertEquals(DType.FLOAT32, f.add(i).dtype());
        assertEquals(DType.INT64, i.add(i).dtype());
        assertEquals(DType.INT64, i.mul(2).dtype());
        assertEquals(DType.INT64, i.add(1).dtype());
        assertEquals(DType.FLOAT32, i.mul(2.5).dtype());
        assertValues(i.mul(2.5), 0, 2.5f, 5);
        assertEquals(DType.INT64, i.neg().dtype());
        // true division: int64 / int64 is float32
        Tensor q = Tensor.arange(4).div(Tensor.ofLongs(2));
        assertEquals(DType.FLOAT32, q.dtype());
        assertValues(q, 0, 0.5f, 1, 1.5f);
        assertEquals(DType.FLOAT32, Tensor.arange(4).div(2).dtype());
        assertEquals(DType.FLOAT32, Tensor.arange(4).exp().dtype());
        Tensor bools = Tensor.of(1, 0).ne(0);
        assertEquals(DType.INT64, bools.add(i.narrow(0, 0, 2)).dtype());
        assertEquals(DType.FLOAT32, bools.mul(Tensor.of(3, 3)).dtype());
    }

    @Test
    void int64ArithmeticIsExact() {
        long big = (1L << 40) + 1;
        assertLongs(Tensor.ofLongs(big).add(Tensor.ofLongs(1)), big + 1);
        assertLongs(Tensor.ofLongs(16_777_217).add(1), 16_777_218);
        assertLongs(Tensor.ofLongs(16_777_217).mul(3), 50_331_651);
        assertLongs(Tensor.ofLongs(-16_777_217).neg(), 16_777_217);
        assertLongs(Tensor.ofLongs(-16_777_217).abs(), 16_777_217);
        assertLongs(Tensor.ofLongs(16_777_217, -5).clamp(0, 20_000_000), 16_777_217, 0);
        assertLongs(Tensor.ofLongs(big, 3).sum(), big + 3);
        assertLongs(Tensor.ofLongs(big, big + 2).max(0, false).values(), big + 2);
    }

    @Test
    void comparisonsProduceBool() {
        Tensor x = Tensor.of(1, 2, 3);
        Tensor y = Tensor.of(3, 2, 1);
        Tensor[] results = {x.eq(y), x.ne(y), x.lt(y), x.le(y), x.gt(y), x.ge(y), x.gt(2), x.eq(2)};
        for (Tensor r : results) {
            assertEquals(DType.BOOL, r.dtype());
        }
        assertValues(x.eq(y), 0, 1, 0);
        assertValues(x.ne(y), 1, 0, 1);
        assertValues(x.lt(y), 1, 0, 0);
        assertValues(x.le(y), 1, 1, 0);
        assertValues(x.gt(y), 0, 0, 1);
        assertValues(x.ge(y), 0, 1, 1);
        assertValues(x.gt(2), 0, 0, 1);
        assertValues(Tensor.arange(3).eq(1), 0, 1, 0);
        assertValues(Tensor.arange(3).lt(1.5), 1, 1, 0);
        assertValues(Tensor.of(Float.NaN).eq(Tensor.of(Float.NaN)), 0);
        assertShape(x.view(3, 1).lt(y), 3, 3);
    }

    @Test
    void whereAndMaskedFill() {
        Tensor cond = Tensor.of(1, 0, 1).ne(0);
        Tensor w = Tensor.where(cond, Tensor.of(1, 2, 3), Tensor.of(-1, -2, -3));
        assertValues(w, 1, -2, 3);
        Tensor b = Tensor.where(cond.view(3, 1), Tensor.of(10, 20), Tensor.scalar(0));
        assertShape(b, 3, 2);
        assertValues(b, 10, 20, 0, 0, 10, 20);
        assertEquals(DType.INT64, Tensor.where(cond, Tensor.arange(3), Tensor.ofLongs(7)).dtype());
        assertEquals(DType.FLOAT32, Tensor.where(cond, Tensor.arange(3), Tensor.of(0.5f)).dtype());
        Tensor x = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        assertValues(x.maskedFill(x.gt(2), -1), 1, 2, -1, -1);
        assertValues(x.maskedFill(Tensor.of(1, 0).ne(0), 9), 9, 2, 9, 4);
        assertLongs(Tensor.arange(3).maskedFill(cond, 5), 5, 1, 5);
    }

    @Test
    void inPlaceVariantsWriteIntoTheirTensor() {
        Tensor x = Tensor.of(1, 2, 3);
        assertSame(x, x.addInPlace(Tensor.of(1, 1, 1)));
        assertValues(x, 2, 3, 4);
        x.subInPlace(Tensor.scalar(1));
        assertValues(x, 1, 2, 3);
        x.mulInPlace(Tensor.of(2, 3, 4));
        assertValues(x, 2, 6, 12);
        x.divInPlace(Tensor.of(2, 3, 4));
        assertValues(x, 1, 2, 3);
        x.mulInPlace(-1);
        assertValues(x, -1, -2, -3);
        x.addInPlace(2);
        assertValues(x, 1, 0, -1);
        x.reluInPlace();
        assertValues(x, 1, 0, 0);
        x.addInPlace(Tensor.of(1, 1, 1), 4);
        assertValues(x, 5, 4, 4);
        x.clampInPlace(4.5, 10);
        assertValues(x, 5, 4.5f, 4.5f);
        x.addcmulInPlace(Tensor.of(1, 2, 3), Tensor.of(2, 2, 2), 0.5);
        assertValues(x, 6, 6.5f, 7.5f);
        x.addcdivInPlace(Tensor.of(2, 2, 2), Tensor.of(1, 2, 4), 2);
        assertValues(x, 10, 8.5f, 8.5f);
        x.copyInPlace(Tensor.scalar(3));
        assertValues(x, 3, 3, 3);
        x.zeroInPlace();
        assertValues(x, 0, 0, 0);
        x.fillInPlace(2);
        assertValues(x, 2, 2, 2);
        assertEquals(14, x.version(), "one version per in-place op");
    }

    @Test
    void inPlaceIntoAStridedView() {
        Tensor m = Tensor.zeros(2, 3);
        m.t().addInPlace(Tensor.of(1, 2).view(1, 2)); // m.t() is [3, 2]; adds 1 to row 0 and 2 to row 1 of m
        assertValues(m, 1, 1, 1, 2, 2, 2);
        m.select(1, 1).mulInPlace(10);
        assertValues(m, 1, 10, 1, 2, 20, 2);
    }

    @Test
    void inPlaceCannotChangeTheShape() {
        Tensor x = Tensor.zeros(3);
        ShapeException e = assertThrows(ShapeException.class, () -> x.addInPlace(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("doesn't match the broadcast shape"), e.getMessage());
        assertThrows(ShapeException.class, () -> x.copyInPlace(Tensor.zeros(4)));
    }

    @Test
    void copyInPlaceConvertsDtype() {
        Tensor i = Tensor.zerosLike(Tensor.arange(3));
        i.copyInPlace(Tensor.of(1.9f, -2.5f, 3));
        assertLongs(i, 1, -2, 3);
        Tensor f = Tensor.zeros(3);
        f.copyInPlace(Tensor.arange(3));
        assertValues(f, 0, 1, 2);
    }

    @Test
    void randomFillsInPlace() {
        dev.ember.tensor.random.Generator.manualSeed(0);
        Tensor u = Tensor.zeros(2, 2).uniformInPlace(0, 1);
        assertValues(u, 0.4962566f, 0.7682218f, 0.08847743f, 0.13203049f);
        dev.ember.tensor.random.Generator.manualSeed(0);
        assertValues(Tensor.zeros(4).normalInPlace(0, 1), 1.5409961f, -0.2934289f, -2.1787894f, 0.56843126f);
    }
}
