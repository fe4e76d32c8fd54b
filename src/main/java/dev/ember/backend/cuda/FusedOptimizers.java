package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Storage;

/**
 * One-kernel optimizer steps on optim.cu: SGD with momentum behind {@link CudaBackend#sgdMomentum},
 * and Adam for when the optimizers learn to use it (it is not part of the Backend SPI yet: Adam
 * composes the primitives). Adam's storages are whole contiguous float32 tensors of one size; the
 * formulas are torch.optim's.
 */
public final class FusedOptimizers {
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

    /** Adam (AdamW when {@code decoupledWeightDecay}); {@code step} counts from 1. */
    public void adam(Storage param, Storage grad, Storage expAvg, Storage expAvgSq, float lr, float beta1,
                     float beta2, float eps, float weightDecay, boolean decoupledWeightDecay, int step) {
        int n = requireSameSize(param, grad, expAvg, expAvgSq);
        float biasCorrection1 = (float) (1 - Math.pow(beta1, step));
        float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        launch("adam_f32", n, new KernelArgs().pointer(address(param, 0)).pointer(address(grad, 0))
                .pointer(address(expAvg, 0)).pointer(address(expAvgSq, 0)).f32(lr).f32(beta1).f32(beta2).f32(eps)
                .f32(weightDecay).i32(decoupledWeightDecay ? 1 : 0).f32(biasCorrection1).f32(biasCorrection2Sqrt));
    }

    private long address(Storage s, int offset) {
        CudaStorage c = ctx.cuda(s);
        if (c.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("fused optimizers take float32 storages, got " + c.dtype().torchName());
        }
        return c.address() + 4L * offset;
    }

    private static int requireSameSize(Storage first, Storage... others) {
        for (Storage s : others) {
            if (s.size() != first.size()) {
                throw new IllegalArgumentException("fused optimizer storages differ in size: " + first.size() + " vs "
                        + s.size());
            }
        }
        return first.size();
    }

    private void launch(String kernel, int n, KernelArgs args) {
        if (n > 0) {
            ctx.launch(MODULE, kernel, LaunchConfig.elementwise(n, ctx.multiprocessors()), args.i32(n));
        }
    }
}
