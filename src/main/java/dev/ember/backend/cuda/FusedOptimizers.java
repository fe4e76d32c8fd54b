package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Storage;

/**
 * One-kernel optimizer steps on optim.cu, for when the optimizers learn to use them (they are not
 * part of the Backend SPI yet). Every storage is a whole contiguous float32 tensor of the same
 * size; the formulas are torch.optim's.
 */
public final class FusedOptimizers {
    private static final String MODULE = "optim";

    private final CudaContext ctx;

    FusedOptimizers(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** SGD with momentum; {@code firstStep} initialises the buffer to the gradient, as PyTorch does. */
    public void sgdMomentum(Storage param, Storage grad, Storage momentumBuffer, float lr, float momentum,
                            float dampening, float weightDecay, boolean nesterov, boolean firstStep) {
        int n = requireSameSize(param, grad, momentumBuffer);
        launch("sgd_momentum_f32", n, new KernelArgs().pointer(address(param)).pointer(address(grad))
                .pointer(address(momentumBuffer)).f32(lr).f32(momentum).f32(dampening).f32(weightDecay)
                .i32(nesterov ? 1 : 0).i32(firstStep ? 1 : 0));
    }

    /** Adam (AdamW when {@code decoupledWeightDecay}); {@code step} counts from 1. */
    public void adam(Storage param, Storage grad, Storage expAvg, Storage expAvgSq, float lr, float beta1,
                     float beta2, float eps, float weightDecay, boolean decoupledWeightDecay, int step) {
        int n = requireSameSize(param, grad, expAvg, expAvgSq);
        float biasCorrection1 = (float) (1 - Math.pow(beta1, step));
        float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        launch("adam_f32", n, new KernelArgs().pointer(address(param)).pointer(address(grad))
                .pointer(address(expAvg)).pointer(address(expAvgSq)).f32(lr).f32(beta1).f32(beta2).f32(eps)
                .f32(weightDecay).i32(decoupledWeightDecay ? 1 : 0).f32(biasCorrection1).f32(biasCorrection2Sqrt));
    }

    private long address(Storage s) {
        CudaStorage c = ctx.cuda(s);
        if (c.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("fused optimizers take float32 storages, got " + c.dtype().torchName());
        }
        return c.address();
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
