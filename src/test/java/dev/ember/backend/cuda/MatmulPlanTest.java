package dev.ember.backend.cuda;

import dev.ember.core.Layout;
import dev.ember.core.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kernel choice and Gemm struct for matmul; pure planning, no GPU. */
class MatmulPlanTest {
    private static final int H100_SMS = 132;

    private static Layout matrix(int b, int r, int c) {
        return Layout.contiguous(Shape.of(b, r, c));
    }

    @Test
    void bigAlignedProductsTakeTheFullTileKernel() {
        MatmulPlan p = MatmulPlan.of(matrix(1, 4096, 4096), matrix(1, 4096, 4096), matrix(1, 4096, 4096), false, H100_SMS);
        assertEquals("sgemm128_full_nn", p.kernel());
        assertEquals("sgemm", p.module());
        assertArrayEquals(new int[] {4096, 4096, 4096, 1, 4096, 4096, 0, 0, 0, 0, 0}, p.gemm());
        assertEquals(new LaunchConfig(32, 32, 1, 128), p.launch(), "16x8 outputs per thread");
        MatmulPlan nt = MatmulPlan.of(matrix(1, 4096, 4096), matrix(1, 4096, 4096).permute(0, 2, 1), matrix(1, 4096, 4096),
                false, H100_SMS);
        assertEquals("sgemm128_full_nt", nt.kernel());
        assertEquals(256, nt.launch().blockX(), "8x8 outputs per thread");
        MatmulPlan t = MatmulPlan.of(matrix(1, 4096, 4096), matrix(1, 4096, 4096), matrix(1, 4096, 4096), true, H100_SMS);
        assertEquals("tf32gemm_full_nn", t.kernel());
        assertEquals("tf32gemm", t.module());
        assertEquals(256, t.launch().blockX());
    }

    @Test
    void smallProductsUseSmallerTilesToFillTheGpu() {
        MatmulPlan p = MatmulPlan.of(matrix(1, 64, 784), matrix(1, 784, 256), matrix(1, 64, 256), false, H100_SMS);
        assertEquals("sgemm64_nn", p.kernel());
        assertEquals(new LaunchConfig(4, 1, 1, 256), p.launch());
    }

    @Test
    void thinRowsTakeSmallTilesEvenWhenThereAreManyTiles() {
        // LeNet-5's first convolution at batch 512: [6, 25] @ [25, 512*784]
        MatmulPlan p = MatmulPlan.of(matrix(1, 6, 25), matrix(1, 25, 512 * 784), matrix(1, 6, 512 * 784), false, H100_SMS);
        assertEquals("sgemm64_nn", p.kernel());
    }

    @Test
    void fewTilesWithALongKAreSplitAlongK() {
        // a convolution weight gradient, [6, 512*784] @ [512*784, 25]: one tile, two parts per SM
        assertEquals(2 * H100_SMS, MatmulPlan.splitK(6, 25, 512 * 784, 1, H100_SMS));
        // capped so each part keeps MIN_SPLIT_K of K
        assertEquals(50, MatmulPlan.splitK(16, 150, 50 * MatmulPlan.MIN_SPLIT_K + 7, 1, H100_SMS));
        assertEquals(1, MatmulPlan.splitK(120, 400, 512, 1, H100_SMS), "K too short to pay for the sum");
        assertEquals(1, MatmulPlan.splitK(4096, 4096, 4096, 1, H100_SMS), "enough tiles already");
        assertEquals(1, MatmulPlan.splitK(6, 25, 512 * 784, 2, H100_SMS), "a batch fills the GPU its own way");
    }

    @Test
    void transposedViewsAreReadInPlace() {
        // linear layer: x [64,784] @ W^T with W [256,784]: B is K-contiguous ("t")
        Layout wT = matrix(1, 256, 784).permute(0, 2, 1);
        MatmulPlan p = MatmulPlan.of(matrix(1, 64, 784), wT, matrix(1, 64, 256), false, H100_SMS);
        assertEquals("sgemm64_nt", p.kernel());
        assertEquals(784, p.gemm()[5], "ldb is W's row stride");
        // weight gradient: dY^T [256,64] @ X [64,784]: A is M-contiguous ("t")
        Layout dyT = matrix(1, 64, 256).permute(0, 2, 1);
        MatmulPlan q = MatmulPlan.of(dyT, matrix(1, 64, 784), matrix(1, 256, 784), false, H100_SMS);
        assertEquals("sgemm64_tn", q.kernel());
        assertEquals(256, q.gemm()[4]);
    }

    @Test
    void batchBroadcastIsAZeroBatchStride() {
        Layout w = matrix(1, 32, 16).expand(Shape.of(8, 32, 16));
        MatmulPlan p = MatmulPlan.of(matrix(8, 20, 32), w, matrix(8, 20, 16), false, H100_SMS);
        assertEquals(20 * 32, p.gemm()[6]);
        assertEquals(0, p.gemm()[7]);
        assertEquals(8, p.launch().gridZ());
    }

    @Test
    void operandsWithoutAUnitStrideMustBeCopied() {
        Layout strided = new Layout(Shape.of(1, 8, 8), new int[] {200, 20, 2}, 0);
        MatmulPlan p = MatmulPlan.of(strided, matrix(1, 8, 8), matrix(1, 8, 8), false, H100_SMS);
        assertTrue(p.copyX());
        assertFalse(p.copyY());
    }

    @Test
    void misalignedOperandsFallBackToCheckedLoads() {
        Layout offset = new Layout(Shape.of(1, 256, 256), new int[] {65536, 256, 1}, 1);
        MatmulPlan p = MatmulPlan.of(offset, matrix(1, 256, 256), matrix(1, 256, 256), false, 1);
        assertEquals("sgemm128_nn", p.kernel());
    }
}
