package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Layout;

/**
 * gather and scatterAdd on index.cu. Kernels cannot throw, so an out-of-range index is written to
 * a device flag and reported as an {@link IndexOutOfBoundsException} by the next download or
 * synchronize (where CUDA reports its own asynchronous errors too).
 */
final class IndexOps {
    private static final String MODULE = "index";
    private static final String[] OPS = {null, "gather", "scatter_add"};

    private final CudaContext ctx;
    private final CudaStorage errorFlag;
    private volatile boolean unchecked;

    IndexOps(CudaContext ctx) {
        this.ctx = ctx;
        this.errorFlag = ctx.uninitialized(DType.FLOAT32, 1);
        ctx.gpu.fill32(errorFlag.address(), 0, 1);
    }

    void gather(Operand x, int dim, Operand index, Operand out) {
        requireIndex("gather", index, x.isLong() == out.isLong());
        launch("gather_" + CudaContext.suffix(x.dtype()), dim, index, out, x, x.address(), out.address());
    }

    void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        requireIndex("scatter_add", index, dst.isLong() == src.isLong());
        launch("scatter_add_" + CudaContext.suffix(dst.dtype()), dim, index, src, dst, src.address(), dst.address());
    }

    /**
     * Walks index's shape with operands (index, other, target); target (x or dst) is addressed
     * through the index along dim. The two data pointers follow in the kernel's parameter order.
     */
    private void launch(String kernel, int dim, Operand index, Operand other, Operand target, long firstData,
                        long secondData) {
        Layout tl = target.layout();
        int[] targetStrides = tl.strides();
        targetStrides[dim] = 0;
        Layout il = index.layout();
        StridedArgs s = StridedArgs.of(il.shape().toArray(),
                new int[][] {il.strides(), other.layout().strides(), targetStrides},
                new int[] {il.offset(), other.layout().offset(), tl.offset()});
        if (s.numel() == 0) {
            return;
        }
        unchecked = true;
        ctx.launch(MODULE, kernel, LaunchConfig.elementwise(s.numel(), ctx.multiprocessors()),
                new KernelArgs().strided(s).i32(tl.stride(dim)).i32(tl.shape().size(dim))
                        .pointer(index.address()).pointer(firstData).pointer(secondData)
                        .pointer(errorFlag.address()).i32(s.numel()));
    }

    private static void requireIndex(String op, Operand index, boolean sameKind) {
        if (!index.isLong()) {
            throw new IllegalArgumentException(op + ": index must be int64, got " + index.dtype().torchName());
        }
        if (!sameKind) {
            throw new IllegalArgumentException(op + ": source and destination must have the same dtype");
        }
    }

    /** Throws if a gather/scatterAdd queued since the last check met a bad index; waits for the device. */
    void check() {
        if (!unchecked) {
            return;
        }
        unchecked = false;
        int[] flag = new int[1];
        ctx.gpu.download(errorFlag.address(), flag);
        if (flag[0] != 0) {
            ctx.gpu.fill32(errorFlag.address(), 0, 1);
            throw new IndexOutOfBoundsException(OPS[flag[0]] + ": an index was out of bounds for its dimension"
                    + " (reported by a kernel queued earlier; run with -Dember.cuda.launchBlocking=true to stop at it)");
        }
    }
}
