// Fused optimizer updates: one pass over contiguous parameter, gradient and state buffers instead
// of the five to eight elementwise kernels the composed update would launch. Formulas and
// argument meanings follow torch.optim (foreach=False); scalars that depend on the step number
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

// Adam, or AdamW when decoupled != 0 (weight decay applied to the parameter, not the gradient).
// biasCorrection1 = 1 - beta1^t, biasCorrection2Sqrt = sqrt(1 - beta2^t).
extern "C" __global__ void adam_f32(float* param, const float* grad, float* expAvg, float* expAvgSq, float lr,
                                    float beta1, float beta2, float eps, float weightDecay, int decoupled,
                                    float biasCorrection1, float biasCorrection2Sqrt, unsigned n) {
    EMBER_FOR_EACH(i, n) {
        float p = param[i];
        float g = grad[i];
        if (decoupled) {
            p *= 1.0f - lr * weightDecay;
        } else {
            g += weightDecay * p;
        }
        float m = beta1 * expAvg[i] + (1.0f - beta1) * g;
        float v = beta2 * expAvgSq[i] + (1.0f - beta2) * g * g;
        expAvg[i] = m;
        expAvgSq[i] = v;
        float denom = sqrtf(v) / biasCorrection2Sqrt + eps;
        param[i] = p - (lr / biasCorrection1) * (m / denom);
    }
}
