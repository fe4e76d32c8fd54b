package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;

/** Batched matmul on sgemm.cu (FP32) or, when TF32 is allowed, tf32gemm.cu (tensor cores). */
final class MatmulOps {
    private final CudaContext ctx;
    private final ElementwiseOps elementwise;

    MatmulOps(CudaContext ctx, ElementwiseOps elementwise) {
        this.ctx = ctx;
        this.elementwise = elementwise;
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
        MatmulPlan plan = MatmulPlan.of(xl, yl, ol, tf32, ctx.multiprocessors());
        if (plan.copyX() || plan.copyY()) {
            matmul(plan.copyX() ? contiguous(x, temps) : x, plan.copyY() ? contiguous(y, temps) : y, out, tf32, temps);
            return;
        }
        ctx.launch(plan.module(), plan.kernel(), plan.launch(), new KernelArgs().pointer(x.address())
                .pointer(y.address()).pointer(out.address()).struct(plan.gemm()));
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
