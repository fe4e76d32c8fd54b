// Fused optimizer updates (Backend.sgdMomentum, Backend.adam): one pass over contiguous parameter,
// gradient and state buffers instead of the five to twelve elementwise kernels the composed update
// would launch. Formulas follow torch.optim (foreach=False); scalars that depend on the step number
// (Adam's bias corrections) are computed on the host.
#include "ember.cuh"

// SGD with momentum after the first step (Backend.sgdMomentum; the optimizer sets the buffer on
// the first): g' = g + wd*p; buf = mu*buf + keep*g'; p += step*(nesterov ? g' + mu*buf : buf), with
// keep = 1 - dampening and step = -lr. Every product and sum is rounded on its own (_rn: never
// contracted to an FMA), so the result has the bits of the CPU's loop and of the composed update.
extern "C" __global__ void sgd_momentum_f32(float* param, const float* grad, float* momentumBuffer, float step,
                                            float momentum, float keep, float weightDecay, int nesterov,
                                            unsigned n) {
    EMBER_FOR_EACH(i, n) {
        float p = param[i];
        float g = grad[i];
        if (weightDecay != 0.0f) {
            g = __fadd_rn(g, __fmul_rn(p, weightDecay));
        }
        float buf = __fadd_rn(__fmul_rn(momentumBuffer[i], momentum), __fmul_rn(keep, g));
        momentumBuffer[i] = buf;
        float u = nesterov ? __fadd_rn(g, __fmul_rn(buf, momentum)) : buf;
        param[i] = __fadd_rn(p, __fmul_rn(step, u));
    }
}

// Adam, or AdamW when decoupled (Backend.adam): with decays, AdamW scales p by decay = 1 - lr*wd and
// Adam adds decay*p (decay = wd) to g; then m = beta1*m + keep1*g; v = beta2*v + keep2*g*g;
// p += step * m / (sqrt(v) * invBias2Sqrt + eps), with keep = 1 - beta, invBias2Sqrt = 1/sqrt(1 -
// beta2^t) and step = -lr/(1 - beta1^t) computed on the host. Rounded operation by operation as the
// CPU does (_rn: never an FMA), so the result has its bits.
extern "C" __global__ void adam_f32(float* param, const float* grad, float* expAvg, float* expAvgSq, float decay,
                                    int decoupled, int decays, float beta1, float keep1, float beta2, float keep2,
                                    float invBias2Sqrt, float eps, float step, unsigned n) {
    EMBER_FOR_EACH(i, n) {
        float p = param[i];
        float g = grad[i];
        if (decays) {
            if (decoupled) {
                p = __fmul_rn(p, decay);
            } else {
                g = __fadd_rn(g, __fmul_rn(p, decay));
            }
        }
        float m = __fadd_rn(__fmul_rn(expAvg[i], beta1), __fmul_rn(keep1, g));
        float v = __fadd_rn(__fmul_rn(expAvgSq[i], beta2), __fmul_rn(keep2, __fmul_rn(g, g)));
        float denom = __fadd_rn(__fmul_rn(__fsqrt_rn(v), invBias2Sqrt), eps);
        expAvg[i] = m;
        expAvgSq[i] = v;
        param[i] = __fadd_rn(p, __fmul_rn(step, __fdiv_rn(m, denom)));
    }
}
