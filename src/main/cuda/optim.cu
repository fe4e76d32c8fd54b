// Fused optimizer updates: one pass over contiguous parameter, gradient and state buffers instead
// of the five to eight elementwise kernels the composed update would launch. Formulas and
// argument meanings follow torch.optim (foreach=False); scalars that depend on the step number
// (Adam's bias corrections) are computed on the host.
#include "ember.cuh"

// SGD with momentum. On the first step the buffer is set to the gradient (PyTorch's rule).
extern "C" __global__ void sgd_momentum_f32(float* param, const float* grad, float* momentumBuffer, float lr,
                                            float momentum, float dampening, float weightDecay, int nesterov,
                                            int firstStep, unsigned n) {
    EMBER_FOR_EACH(i, n) {
        float p = param[i];
        float g = grad[i] + weightDecay * p;
        float buf = firstStep ? g : momentum * momentumBuffer[i] + (1.0f - dampening) * g;
        momentumBuffer[i] = buf;
        param[i] = p - lr * (nesterov ? g + momentum * buf : buf);
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
