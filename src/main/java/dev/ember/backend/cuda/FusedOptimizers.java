package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Storage;

/**
 * One-kernel optimizer steps on optim.cu, behind {@link CudaBackend#sgdMomentum} and
 * {@link CudaBackend#adam}: contiguous float32 storages, each from its element offset; the formulas
 * are torch.optim's, with the CPU's float operations in its order.
 */
final class FusedOptimizers {
    private static final String MODULE = "optim";

    private final CudaContext ctx;

    FusedOptimizers(CudaContext ctx) {
        this.ctx = ctx;
    }

    /**
     * {@link dev.ember.backend.Backend#sgdMomentum} in one pass: n elements of contiguous float32
     * storages, each from its element offset (the CPU's bits: optim.cu rounds every operation alone).
     */
    void sgdMomentum(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                     Storage param, int paramOffset, Storage grad, int gradOffset, Storage buffer, int bufferOffset,
                     int n) {
        launch("sgd_momentum_f32", n, new KernelArgs().pointer(address(param, paramOffset))
                .pointer(address(grad, gradOffset)).pointer(address(buffer, bufferOffset)).f32((float) -lr)
                .f32((float) momentum).f32((float) (1 - dampening)).f32((float) weightDecay).i32(nesterov ? 1 : 0));
    }

    /** {@link dev.ember.backend.Backend#adam} in one pass, like {@link #sgdMomentum}. */
    void adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, double step,
              Storage param, int paramOffset, Storage grad, int gradOffset, Storage expAvg, int expAvgOffset,
              Storage expAvgSq, int expAvgSqOffset, int n) {
        launch("adam_f32", n, new KernelArgs().pointer(address(param, paramOffset)).pointer(address(grad, gradOffset))
                .pointer(address(expAvg, expAvgOffset)).pointer(address(expAvgSq, expAvgSqOffset))
                .f32((float) (decoupled ? 1 - lr * weightDecay : weightDecay)).i32(decoupled ? 1 : 0)
                .i32(weightDecay != 0 ? 1 : 0).f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2)
                .f32((float) (1 - beta2)).f32((float) (1 / Math.sqrt(1 - Math.pow(beta2, step)))).f32((float) eps)
                .f32((float) (-lr / (1 - Math.pow(beta1, step)))));
    }

    private long address(Storage s, int offset) {
        CudaStorage c = ctx.cuda(s);
        if (c.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("fused optimizers take float32 storages, got " + c.dtype().torchName());
        }
        return c.address() + 4L * offset;
    }

    private void launch(String kernel, int n, KernelArgs args) {
        if (n > 0) {
            ctx.launch(MODULE, kernel, LaunchConfig.elementwise(n, ctx.multiprocessors()), args.i32(n));
        }
    }
}
