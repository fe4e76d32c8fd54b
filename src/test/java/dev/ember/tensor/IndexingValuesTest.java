package dev.ember.tensor;

import static dev.ember.TestTensors.assertLongs;
import static dev.ember.TestTensors.assertShape;
import static dev.ember.TestTensors.assertValues;
import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cat/stack, gather/scatterAdd/indexSelect/oneHot with bounds errors, and the unfold2d/fold2d window ops. */
class IndexingValuesTest {

    @Test
    void catAlongEachDim() {
        Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        Tensor b = Tensor.of(new float[][] {{5, 6}});
        Tensor c0 = Tensor.cat(List.of(a, b), 0);
        assertShape(c0, 3, 2);
        assertValues(c0, 1, 2, 3, 4, 5, 6);
        Tensor c1 = Tensor.cat(List.of(a, a.t()), -1);
        assertShape(c1, 2, 4);
        assertValues(c1, 1, 2, 1, 3, 3, 4, 2, 4);
        Tensor mixed = Tensor.cat(List.of(Tensor.arange(2), Tensor.of(0.5f)), 0);
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertValues(mixed, 0, 1, 0.5f);
        assertEquals(DType.INT64, Tensor.cat(List.of(Tensor.arange(2), Tensor.arange(1)), 0).dtype());
    }

    @Test
    void stackAddsADim() {
        Tensor a = Tensor.of(1, 2, 3);
        Tensor b = Tensor.of(4, 5, 6);
        Tensor s0 = Tensor.stack(List.of(a, b), 0);
        assertShape(s0, 2, 3);
        assertValues(s0, 1, 2, 3, 4, 5, 6);
        Tensor s1 = Tensor.stack(List.of(a, b), 1);
        assertShape(s1, 3, 2);
        assertValues(s1, 1, 4, 2, 5, 3, 6);
        assertShape(Tensor.stack(List.of(a, b, a), -1), 3, 3);
        assertShape(Tensor.stack(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0), 2);
    }

    @Test
    void gatherPicksAlongADim() {
        Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        // torch.gather(x, 1, [[2, 0], [1, 1]]) = [[3, 1], [5, 5]]
        Tensor g1 = x.gather(1, Tensor.wrap(new long[] {2, 0, 1, 1}, 2, 2));
        assertShape(g1, 2, 2);
        assertValues(g1, 3, 1, 5, 5);
        // torch.gather(x, 0, [[1, 0, 1]]) = [[4, 2, 6]]
        assertValues(x.gather(0, Tensor.wrap(new long[] {1, 0, 1}, 1, 3)), 4, 2, 6);
        assertLongs(Tensor.arange(6).view(2, 3).gather(1, Tensor.wrap(new long[] {2, 1}, 2, 1)), 2, 4);
        assertValues(x.t().gather(0, Tensor.wrap(new long[] {2, 0}, 1, 2)), 3, 4);
    }

    @Test
    void gatherBoundsErrors() {
        Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.gather(1, Tensor.wrap(new long[] {0, 3}, 2, 1)));
        assertTrue(e.getMessage().contains("index 3 is out of bounds for dimension 1 with size 3"), e.getMessage());
        // PyTorch takes no negative indices in gather
        IndexOutOfBoundsException neg = assertThrows(IndexOutOfBoundsException.class,
                () -> x.gather(1, Tensor.wrap(new long[] {-1, 0}, 2, 1)));
        assertTrue(neg.getMessage().contains("index -1 is out of bounds"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(0, 1).view(2, 1)));
    }

    @Test
    void indexSelectRows() {
        Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        Tensor rows = x.indexSelect(0, Tensor.ofLongs(1, 1, 0));
        assertShape(rows, 3, 3);
        assertValues(rows, 4, 5, 6, 4, 5, 6, 1, 2, 3);
        Tensor cols = x.indexSelect(1, Tensor.ofLongs(2, 0));
        assertShape(cols, 2, 2);
        assertValues(cols, 3, 1, 6, 4);
        assertShape(x.indexSelect(0, Tensor.ofLongs()), 0, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.ofLongs(2)));
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(1, Tensor.ofLongs(-1)));
        assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.wrap(new long[] {0, 1}, 1, 2)));
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        Tensor base = Tensor.zeros(3);
        Tensor out = base.scatterAdd(0, Tensor.ofLongs(0, 2, 0, 0), Tensor.of(1, 2, 3, 4));
        assertValues(out, 8, 0, 2);
        assertValues(base, 0, 0, 0); // out of place
        Tensor m = Tensor.ones(2, 3).scatterAdd(1, Tensor.wrap(new long[] {2, 2, 0, 1}, 2, 2), Tensor.of(new float[][] {{5, 6},
            {7, 8}}));
        assertValues(m, 1, 1, 12, 8, 9, 1);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.zeros(3).scatterAdd(0, Tensor.ofLongs(3), Tensor.of(1)));
    }

    @Test
    void oneHot() {
        Tensor h = Tensor.ofLongs(2, 0, 1).oneHot(3);
        assertShape(h, 3, 3);
        assertValues(h, 0, 0, 1, 1, 0, 0, 0, 1, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ofLongs(3).oneHot(3));
    }

    @Test
    void unfoldMatchesPyTorchsColumnLayout() {
        // F.unfold(torch.arange(16.).view(1, 1, 4, 4), 2, stride=2): rows are kernel positions, columns windows
        Tensor x = Tensor.arange(0.0, 16.0, 1.0).view(1, 1, 4, 4);
        Tensor cols = x.unfold2d(new ConvGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1), 0f);
        assertShape(cols, 1, 4, 4);
        assertValues(cols, 0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15);
    }

    @Test
    void unfoldMatchesANaiveLoop() {
        Tensor x = randn(1, 2, 3, 5, 6);
        ConvGeometry[] geometries = {
            new ConvGeometry(3, 5, 6, 3, 3, 1, 1, 0, 0, 1, 1),
            new ConvGeometry(3, 5, 6, 3, 2, 2, 1, 1, 2, 1, 1),
            new ConvGeometry(3, 5, 6, 2, 3, 1, 2, 2, 1, 2, 2),
        };
        for (ConvGeometry g : geometries) {
            for (float pad : new float[] {0f, Float.NEGATIVE_INFINITY}) {
                assertArrayEquals(naiveUnfold(x, g, pad), x.unfold2d(g, pad).toFloatArray(), g.toString());
                Tensor nhwc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // same values, other strides
                assertArrayEquals(naiveUnfold(x, g, pad), nhwc.unfold2d(g, pad).toFloatArray(), g.toString());
            }
        }
    }

    private static float[] naiveUnfold(Tensor x, ConvGeometry g, float pad) {
        int n = x.size(0);
        int oh = g.outH();
        int ow = g.outW();
        float[] out = new float[n * g.colRows() * g.colCols()];
        int i = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < g.kH(); ky++) {
                    for (int kx = 0; kx < g.kW(); kx++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int iy = oy * g.strideH() - g.padH() + ky * g.dilH();
                                int ix = ox * g.strideW() - g.padW() + kx * g.dilW();
                                boolean in = iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW();
                                out[i++] = in ? (float) x.get(b, c, iy, ix) : pad;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void foldSumsOverlappingWindows() {
        // fold(unfold(ones)) counts how many windows cover each pixel: 2x2 windows, stride 1, on 3x3
        ConvGeometry g = new ConvGeometry(1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
        Tensor counts = Tensor.ones(1, 1, 3, 3).unfold2d(g, 0f).fold2d(g);
        assertShape(counts, 1, 1, 3, 3);
        assertValues(counts, 1, 2, 1, 2, 4, 2, 1, 2, 1);
        // non-overlapping windows: fold inverts unfold
        ConvGeometry tiles = new ConvGeometry(2, 4, 6, 2, 3, 2, 3, 0, 0, 1, 1);
        Tensor x = randn(2, 1, 2, 4, 6);
        assertArrayEquals(x.toFloatArray(), x.unfold2d(tiles, 0f).fold2d(tiles).toFloatArray());
    }

    @Test
    void foldReadsAnOffsetView() {
        ConvGeometry tiles = new ConvGeometry(1, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1);
        Tensor cols = Tensor.arange(0.0, 8.0, 1.0).view(2, 1, 4);
        assertValues(cols.narrow(0, 1, 1).fold2d(tiles), 4, 5, 6, 7);
    }

    @Test
    void windowShapeErrors() {
        ConvGeometry g = new ConvGeometry(1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 2, 3, 3).unfold2d(g, 0f));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 4, 5).fold2d(g));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 2, 2, 3, 3, 1, 1, 0, 0, 1, 1));
    }
}
