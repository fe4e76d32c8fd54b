package dev.ember.backend.cuda;

import dev.ember.core.Layout;
import dev.ember.core.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Packing of layouts into ember.cuh's Dims/Operands, and the dim coalescing that makes it cheap. */
class StridedArgsTest {

    @Test
    void contiguousOperandsCollapseToOneDim() {
        Layout a = Layout.contiguous(Shape.of(4, 5, 6));
        StridedArgs s = StridedArgs.of(a, a);
        assertEquals(1, s.rank());
        assertEquals(120, s.size(0));
        assertArrayEquals(new int[] {1, 120, 0, 0, 0, 0, 0, 0, 0}, s.dims());
        assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, s.operands());
    }

    @Test
    void aTransposedOperandKeepsTheDimsApart() {
        Layout a = Layout.contiguous(Shape.of(3, 4));
        Layout t = Layout.contiguous(Shape.of(4, 3)).permute(1, 0);
        StridedArgs s = StridedArgs.of(a, t);
        assertEquals(2, s.rank());
        assertEquals(3, s.size(0));
        assertEquals(4, s.stride(0, 0));
        assertEquals(1, s.stride(1, 0));
        assertEquals(1, s.stride(0, 1));
        assertEquals(3, s.stride(1, 1));
    }

    @Test
    void broadcastDimsMergeWithEachOtherButNotWithRealOnes() {
        Layout row = Layout.contiguous(Shape.of(5)).expand(Shape.of(2, 3, 5));  // strides 0, 0, 1
        Layout out = Layout.contiguous(Shape.of(2, 3, 5));
        StridedArgs s = StridedArgs.of(row, out);
        assertEquals(2, s.rank());
        assertEquals(6, s.size(0));
        assertEquals(0, s.stride(0, 0));
        assertEquals(5, s.stride(1, 0));
    }

    @Test
    void sizeOneDimsAreDroppedAndOffsetsKept() {
        Layout a = new Layout(Shape.of(1, 3, 1), new int[] {99, 7, 42}, 11);
        StridedArgs s = StridedArgs.of(a);
        assertEquals(1, s.rank());
        assertEquals(7, s.stride(0, 0));
        assertEquals(11, s.operands()[0]);
    }

    @Test
    void scalarsBecomeOneElementOfRankOne() {
        StridedArgs s = StridedArgs.of(new Layout(Shape.scalar(), new int[0], 5));
        assertArrayEquals(new int[] {1, 1, 0, 0, 0, 0, 0, 0, 0}, s.dims());
        assertEquals(5, s.operands()[0]);
        assertEquals(1, s.numel());
    }

    @Test
    void emptyTensorsHaveNoElements() {
        assertEquals(0, StridedArgs.of(Layout.contiguous(Shape.of(3, 0, 2))).numel());
    }

    @Test
    void moreThanEightUnmergeableDimsAreRefused() {
        int[] sizes = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = {1 << 17, 1 << 15, 1 << 13, 1 << 11, 1 << 9, 1 << 7, 1 << 5, 1 << 3, 1 << 1};  // gaps everywhere
        Layout gappy = new Layout(Shape.of(sizes), strides, 0);
        assertThrows(UnsupportedOperationException.class, () -> StridedArgs.of(gappy));
    }

    @Test
    void operandsOfDifferentShapesAreABug() {
        assertThrows(IllegalArgumentException.class,
                () -> StridedArgs.of(Layout.contiguous(Shape.of(2, 3)), Layout.contiguous(Shape.of(3, 2))));
    }
}
