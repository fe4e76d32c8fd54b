package dev.ember.tensor;

import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.ShapeException;
import org.junit.jupiter.api.Test;

/** Views share memory, copies happen only when needed, and strides are PyTorch's for the same ops. */
class ViewSemanticsTest {

    private static Tensor x234() {
        return Tensor.arange(0.0, 24.0, 1.0).view(2, 3, 4);
    }

    private static void assertStrides(Tensor t, int... expected) {
        assertArrayEquals(expected, t.stride(), () -> "strides of a " + t.shape() + " view");
    }

    @Test
    void wrapSharesMemoryBothWays() {
        // torch.from_numpy: the array and the tensor are one memory
        float[] a = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.wrap(a, 2, 3);
        a[4] = 50;
        assertEquals(50, t.get(1, 1));
        t.mulInPlace(2);
        assertArrayEquals(new float[] {2, 4, 6, 8, 100, 12}, a);
        t.select(0, 0).fillInPlace(-1);
        assertArrayEquals(new float[] {-1, -1, -1, 8, 100, 12}, a);
        long[] l = {1, 2, 3};
        Tensor li = Tensor.wrap(l, 3);
        li.addInPlace(Tensor.ofLongs(10, 10, 10));
        assertArrayEquals(new long[] {11, 12, 13}, l);
    }

    @Test
    void ofCopiesItsArguments() {
        float[] a = {1, 2};
        Tensor t = Tensor.of(a);
        a[0] = 9;
        assertValues(t, 1, 2);
    }

    @Test
    void contiguousStrides() {
        assertStrides(Tensor.zeros(2, 3, 4), 12, 4, 1);
        assertStrides(Tensor.zeros(5), 1);
        assertStrides(Tensor.zeros(), new int[0]);
        assertStrides(Tensor.zeros(3, 1, 2), 2, 2, 1);
    }

    @Test
    void viewStrides() {
        Tensor x = x234();
        assertStrides(x.view(6, 4), 4, 1);
        assertStrides(x.view(2, 12), 12, 1);
        assertStrides(x.view(-1), 1);
        assertStrides(x.view(4, 1, 6), 6, 6, 1);
        assertStrides(x.view(24, 1), 1, 1);
        // a transposed tensor can still split its contiguous last dim: torch gives (4, 12, 2, 1)
        assertStrides(x.transpose(0, 1).view(3, 2, 2, 2), 4, 12, 2, 1);
        // and merge dims that stay adjacent in memory: x[:, 1:3] (strides (12, 4, 1)) views as (2, 8) with (12, 1)
        assertStrides(x.narrow(1, 1, 2).view(2, 8), 12, 1);
        assertEquals(4, x.narrow(1, 1, 2).view(2, 8).storageOffset());
    }

    @Test
    void transposeAndPermuteStrides() {
        Tensor x = x234();
        assertStrides(x.transpose(0, 2), 1, 4, 12);
        assertShape(x.transpose(0, 2), 4, 3, 2);
        assertStrides(x.permute(1, 2, 0), 4, 1, 12);
        assertStrides(x.permute(-1, 0, 1), 1, 12, 4);
        assertStrides(Tensor.zeros(3, 4).t(), 1, 4);
        assertStrides(x.transpose(-1, -2), 12, 1, 4);
    }

    @Test
    void narrowSelectSliceStridesAndOffsets() {
        Tensor x = x234();
        Tensor n = x.narrow(1, 1, 2);
        assertStrides(n, 12, 4, 1);
        assertEquals(4, n.storageOffset());
        Tensor s = x.select(1, 2);
        assertShape(s, 2, 4);
        assertStrides(s, 12, 1);
        assertEquals(8, s.storageOffset());
        Tensor last = x.select(-1, -1);
        assertStrides(last, 12, 4);
        assertEquals(3, last.storageOffset());
        Tensor sl = x.slice(2, 1, -1); // x[:, :, 1:-1]
        assertShape(sl, 2, 3, 2);
        assertStrides(sl, 12, 4, 1);
        assertEquals(1, sl.storageOffset());
        assertShape(x.slice(0, -5, 10), 2, 3, 4); // clamped like Python slicing
        assertShape(x.slice(1, 2, 1), 2, 0, 4);
    }

    @Test
    void unsqueezeAndSqueezeStrides() {
        Tensor x = x234();
        assertStrides(x.unsqueeze(0), 24, 12, 4, 1);
        assertStrides(x.unsqueeze(1), 12, 12, 4, 1);
        assertStrides(x.unsqueeze(-1), 12, 4, 1, 1);
        assertStrides(x.unsqueeze(3), 12, 4, 1, 1);
        // the new dim's stride is size * stride of the dim it is inserted before: torch gives (1, 12, 4)
        assertStrides(Tensor.zeros(3, 4).t().unsqueeze(1), 1, 12, 4);
        Tensor c = Tensor.zeros(3, 1, 4);
        assertStrides(c.squeeze(1), 4, 1);
        assertShape(c.squeeze(0), 3, 1, 4);
        assertShape(Tensor.zeros(1, 3, 1).squeeze(), 3);
        assertShape(Tensor.zeros(1).squeeze(), new int[0]);
    }

    @Test
    void expandStrides() {
        assertStrides(Tensor.zeros(3, 1).expand(3, 4), 1, 0);
        assertStrides(Tensor.zeros(3).expand(2, 3), 0, 1);
        assertStrides(Tensor.zeros(3, 1).expand(2, 3, 5), 0, 1, 0);
        // a new leading dim of size 1 gets size * stride of the next dim in PyTorch: zeros(3).expand(1, 3).stride() == (3, 1)
        assertStrides(Tensor.zeros(3).expand(1, 3), 3, 1);
        assertStrides(Tensor.zeros(1, 3).expand(-1, 3), 3, 1);
        assertFalse(Tensor.zeros(3, 1).expand(3, 4).isContiguous());
    }

    @Test
    void viewsShareStorageBothWays() {
        Tensor x = x234();
        Tensor v = x.view(6, 4);
        Tensor t = x.transpose(0, 2);
        Tensor n = x.narrow(2, 1, 2);
        Tensor s = x.select(0, 1);
        for (Tensor view : new Tensor[] {v, t, n, s}) {
            assertSame(x.storage(), view.storage());
        }
        v.select(0, 5).select(0, 3).fillInPlace(-1); // x[1, 2, 3]
        assertEquals(-1, x.get(1, 2, 3));
        assertEquals(-1, t.get(3, 2, 1));
        assertEquals(-1, s.get(2, 3));
        t.select(0, 1).select(0, 0).select(0, 0).fillInPlace(-2); // x[0, 0, 1]
        assertEquals(-2, n.get(0, 0, 0));
        n.mulInPlace(0);
        assertEquals(0, x.get(1, 1, 2));
        assertEquals(3, x.get(0, 0, 3), "narrow writes only its own elements");
    }

    @Test
    void expandSharesTheSourceElement() {
        Tensor c = Tensor.of(1, 2, 3).view(3, 1);
        Tensor e = c.expand(3, 4);
        assertSame(c.storage(), e.storage());
        c.fillInPlace(5);
        assertValues(e, new float[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, 0);
    }

    @Test
    void detachAndFlattenShareStorage() {
        Tensor x = x234();
        assertSame(x.storage(), x.detach().storage());
        assertSame(x.storage(), x.flatten().storage());
        assertSame(x.storage(), x.reshape(4, 6).storage());
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = x234();
        assertSame(x, x.contiguous());
        Tensor t = x.transpose(0, 1);
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertNotSame(t.storage(), c.storage());
        assertTrue(c.isContiguous());
        assertStrides(c, 8, 4, 1);
        assertArrayEquals(t.toFloatArray(), c.toFloatArray());
        // size-1 dims do not count, as in PyTorch: zeros(3, 1).t() is contiguous
        Tensor row = Tensor.zeros(3, 1).t();
        assertTrue(row.isContiguous());
        assertSame(row, row.contiguous());
        // narrowing the first dim keeps contiguity; narrowing the last does not
        assertTrue(x.narrow(0, 1, 1).isContiguous());
        assertFalse(x.narrow(2, 0, 2).isContiguous());
    }

    @Test
    void cloneIsIndependentAndContiguous() {
        Tensor x = x234();
        Tensor c = x.transpose(1, 2).clone();
        assertTrue(c.isContiguous());
        assertNotSame(x.storage(), c.storage());
        x.fillInPlace(0);
        assertEquals(5, c.get(0, 1, 1)); // x[0, 1, 1]
    }

    @Test
    void viewOfANonViewableLayoutFailsAndReshapeCopies() {
        Tensor x = Tensor.arange(0.0, 6.0, 1.0).view(2, 3);
        Tensor t = x.t();
        ShapeException e = assertThrows(ShapeException.class, () -> t.view(6));
        assertTrue(e.getMessage().startsWith("view size is not compatible with input tensor's size and stride (at least "
                + "one dimension spans across two contiguous subspaces)"), e.getMessage());
        assertTrue(e.getMessage().contains("Use .reshape(...) instead."), e.getMessage());
        assertThrows(ShapeException.class, () -> x.narrow(1, 0, 2).view(4));
        Tensor r = t.reshape(6);
        assertNotSame(x.storage(), r.storage());
        assertValues(r, 0, 3, 1, 4, 2, 5);
        assertValues(x.narrow(1, 0, 2).reshape(4), 0, 1, 3, 4);
    }

    @Test
    void viewChecksTheElementCount() {
        Tensor x = Tensor.zeros(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> x.view(5));
        assertTrue(e.getMessage().contains("shape [5] is invalid for input of size 6"), e.getMessage());
        assertThrows(ShapeException.class, () -> x.view(-1, -1));
        assertThrows(ShapeException.class, () -> x.reshape(4, -1));
    }

    @Test
    void zeroDimensionalViews() {
        Tensor s = Tensor.scalar(3.5);
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertShape(s.view(1, 1), 1, 1);
        assertStrides(s.view(1, 1), 1, 1);
        assertShape(s.reshape(-1), 1);
        assertShape(s.unsqueeze(0), 1);
        assertShape(s.flatten(), 1);
        assertEquals(3.5, s.item());
        assertEquals(2.0, Tensor.of(1, 2, 3).select(0, 1).item());
    }
}
