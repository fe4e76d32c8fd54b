package dev.ember.backend.cuda;

import dev.ember.backend.AdamScalars;
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
        AdamScalars s = AdamScalars.of(lr, beta1, beta2, eps, weightDecay, decoupled, step);
        launch("adam_f32", n, new KernelArgs().pointer(address(param, paramOffset)).pointer(address(grad, gradOffset))
                .pointer(address(expAvg, expAvgOffset)).pointer(address(expAvgSq, expAvgSqOffset)).f32(s.decay())
                .i32(s.decoupled() ? 1 : 0).i32(s.decays() ? 1 : 0).f32(s.beta1()).f32(s.keep1()).f32(s.beta2())
                .f32(s.keep2()).f32(s.invBias2Sqrt()).f32(s.eps()).f32(s.step()));
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
