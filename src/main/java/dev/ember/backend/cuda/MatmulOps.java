package dev.ember.backend.cuda;

import dev.ember.backend.ReduceOp;
import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;

/** Batched matmul on sgemm.cu (FP32) or, when TF32 is allowed, tf32gemm.cu (tensor cores). */
final class MatmulOps {
    private final CudaContext ctx;
    private final ElementwiseOps elementwise;
    private final ReductionOps reductions;

    MatmulOps(CudaContext ctx, ElementwiseOps elementwise, ReductionOps reductions) {
        this.ctx = ctx;
        this.elementwise = elementwise;
        this.reductions = reductions;
    }

    void matmul(Operand x, Operand y, Operand out, boolean tf32, Temps temps) {
        Layout xl = x.layout();
        Layout yl = y.layout();
        Layout ol = out.layout();
        if (x.dtype() != DType.FLOAT32 || y.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32) {
            throw new UnsupportedOperationException("matmul on CUDA takes float32 operands, got "
                    + x.dtype().torchName() + " @ " + y.dtype().torchName() + " -> " + out.dtype().torchName());
        }
        if (xl.rank() != 3 || yl.rank() != 3 || ol.rank() != 3 || !ol.isContiguous()) {
            throw new IllegalArgumentException("matmul expects [B,M,K] @ [B,K,N] -> contiguous [B,M,N], got "
                    + xl.shape() + " @ " + yl.shape() + " -> " + ol);
        }
        if (ol.shape().numel() == 0) {
            return;
        }
        if (xl.shape().size(2) == 0) {  // an empty sum
            elementwise.fill(out, 0);
            return;
        }
        int parts = MatmulPlan.splitK(xl.shape().size(1), yl.shape().size(2), xl.shape().size(2), xl.shape().size(0),
                ctx.multiprocessors());
        if (parts > 1) {
            splitMatmul(x, y, out, parts, tf32, temps);
            return;
        }
        MatmulPlan plan = MatmulPlan.of(xl, yl, ol, tf32, ctx.multiprocessors());
        if (plan.copyX() || plan.copyY()) {
            matmul(plan.copyX() ? contiguous(x, temps) : x, plan.copyY() ? contiguous(y, temps) : y, out, tf32, temps);
            return;
        }
        ctx.launch(plan.module(), plan.kernel(), plan.launch(), new KernelArgs().pointer(x.address())
                .pointer(y.address()).pointer(out.address()).struct(plan.gemm()));
    }

    /**
     * A single product x [1,M,K] @ y [1,K,N] as {@code parts} products over consecutive stretches of K
     * (one batched GEMM, each batch entry a stretch, plus one more for what is left of K), summed into
     * out in order.
     */
    private void splitMatmul(Operand x, Operand y, Operand out, int parts, boolean tf32, Temps temps) {
        Layout xl = x.layout();
        Layout yl = y.layout();
        int m = xl.shape().size(1);
        int k = xl.shape().size(2);
        int n = yl.shape().size(2);
        int stretch = k / parts / 8 * 8;  // whole k-tiles, so the stretches stay 16-byte aligned where K is
        int rest = k - parts * stretch;
        int slots = parts + (rest > 0 ? 1 : 0);
        CudaStorage partial = temps.allocate(DType.FLOAT32, slots * m * n);
        Layout stretches = new Layout(Shape.of(parts, m, stretch), new int[] {stretch * xl.stride(2), xl.stride(1), xl.stride(2)},
                xl.offset());
        Layout yStretches = new Layout(Shape.of(parts, stretch, n), new int[] {stretch * yl.stride(1), yl.stride(1), yl.stride(2)},
                yl.offset());
        matmul(new Operand(x.storage(), stretches), new Operand(y.storage(), yStretches),
                new Operand(partial, Layout.contiguous(Shape.of(parts, m, n))), tf32, temps);
        if (rest > 0) {
            Layout last = new Layout(Shape.of(1, m, n), new int[] {m * n, n, 1}, parts * m * n);
            matmul(new Operand(x.storage(), xl.narrow(2, parts * stretch, rest)),
                    new Operand(y.storage(), yl.narrow(1, parts * stretch, rest)), new Operand(partial, last), tf32, temps);
        }
        reductions.reduce(ReduceOp.SUM, new Operand(partial, Layout.contiguous(Shape.of(slots, m, n))),
                new boolean[] {true, false, false}, out, temps);
    }

    /**
     * A contiguous copy of a [B,R,C] operand; a batch-broadcast one (batch stride 0) is copied
     * once and stays broadcast.
     */
    private Operand contiguous(Operand o, Temps temps) {
        Layout l = o.layout();
        boolean broadcast = l.stride(0) == 0;
        Shape matrices = broadcast ? Shape.of(1, l.shape().size(1), l.shape().size(2)) : l.shape();
        Layout source = broadcast ? l.narrow(0, 0, 1) : l;
        Layout packed = Layout.contiguous(matrices);
        Operand copy = new Operand(temps.allocate(DType.FLOAT32, matrices.numel()), packed);
        elementwise.copy(new Operand(o.storage(), source), copy);
        Layout result = broadcast ? packed.expand(l.shape()) : packed;
        return new Operand(copy.storage(), result);
    }
}
