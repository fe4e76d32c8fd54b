package dev.ember.backend.cuda;

import dev.ember.core.Layout;
import dev.ember.core.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How reductions are mapped onto reduce.cu's kernels; pure planning, no GPU. */
class ReducePlanTest {
    private static final int SMS = 132;

    private static ReducePlan plan(Layout x, Layout out) {
        return ReducePlan.of(x, ReducePlan.reducedDims(x, null, out), out, SMS);
    }

    @Test
    void longContiguousRowsGetABlockEach() {
        ReducePlan p = plan(Layout.contiguous(Shape.of(4096, 1000)), Layout.contiguous(Shape.of(4096, 1)));
        assertTrue(p.blockPerOutput());
        assertEquals(1, p.splits());
        assertEquals(4096, p.numOut());
        assertEquals(1000, p.length());
        assertEquals(256, p.launch().blockX());
    }

    @Test
    void columnSumsGiveEachThreadAColumnAndSplitTheRows() {
        // bias gradient: sum over the batch of [512, 256]
        ReducePlan p = plan(Layout.contiguous(Shape.of(512, 256)), Layout.contiguous(Shape.of(1, 256)));
        assertFalse(p.blockPerOutput());
        assertEquals(8, p.splits());
        assertEquals(64, p.chunk());
    }

    @Test
    void aFullSumIsSplitAcrossTheGpu() {
        ReducePlan p = plan(Layout.contiguous(Shape.of(1 << 24)), Layout.contiguous(Shape.of(1)));
        assertTrue(p.blockPerOutput());
        assertEquals(8 * SMS, p.splits());
        assertEquals(1, p.launch().gridX());
        assertTrue((long) p.splits() * p.chunk() >= 1 << 24);
        assertTrue((long) (p.splits() - 1) * p.chunk() < 1 << 24, "no empty split");
        assertTrue(p.rows(), "contiguous: reduce_rows reads float4s");
        assertEquals(0, p.chunk() % 4);
    }

    @Test
    void oddSplitsOfContiguousRowsKeepChunksAlignedAndNonEmpty() {
        int n = 1000003;
        ReducePlan p = plan(Layout.contiguous(Shape.of(n)), Layout.contiguous(Shape.of(1)));
        assertTrue(p.rows());
        assertEquals(0, p.chunk() % 4);
        assertTrue((long) p.splits() * p.chunk() >= n);
        assertTrue((long) (p.splits() - 1) * p.chunk() < n, "no empty split");
        assertFalse(plan(Layout.contiguous(Shape.of(64, 100)).permute(1, 0), Layout.contiguous(Shape.of(100, 1)))
                .rows(), "strided rows take the generic kernels");
    }

    @Test
    void shortRowsGetAThreadEach() {
        ReducePlan p = plan(Layout.contiguous(Shape.of(65536, 10)), Layout.contiguous(Shape.of(65536, 1)));
        assertFalse(p.blockPerOutput());
        assertEquals(1, p.splits());
    }

    @Test
    void flaggedDimsAreReducedEvenWhenTheShapesAgree() {
        Layout x = Layout.contiguous(Shape.of(1, 3));
        assertArrayEquals(new boolean[] {true, false},
                ReducePlan.reducedDims(x, new boolean[] {true, false}, Layout.contiguous(Shape.of(1, 3))));
    }

    @Test
    void argReduceAlongTheLastDimUsesBlocksForLongRows() {
        ArgReducePlan p = ArgReducePlan.of(Layout.contiguous(Shape.of(64, 1000)), 1, SMS);
        assertTrue(p.blockPerOutput());
        assertEquals(64, p.numOut());
        assertEquals(1, p.dimStride());
        ArgReducePlan q = ArgReducePlan.of(Layout.contiguous(Shape.of(64, 10)), 1, SMS);
        assertFalse(q.blockPerOutput());
        ArgReducePlan c = ArgReducePlan.of(Layout.contiguous(Shape.of(1000, 64)), 0, SMS);
        assertFalse(c.blockPerOutput(), "down a column, neighbouring threads read neighbouring elements");
        assertEquals(64, c.dimStride());
    }
}
