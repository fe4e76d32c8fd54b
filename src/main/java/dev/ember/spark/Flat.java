package dev.ember.spark;

import dev.ember.autograd.GradMode;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

import java.util.List;

/**
 * A model's parameters as one flat {@code float[]} (Spark ml/ann style), in {@link Module#parameters()}
 * order: what the driver sends to executors each step and what their gradients come back as.
 */
final class Flat {
    private Flat() {
    }

    static int size(Module model) {
        int n = 0;
        for (Tensor p : model.parameters()) {
            n += p.numel();
        }
        return n;
    }

    static float[] weights(Module model) {
        float[] out = new float[size(model)];
        int off = 0;
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, off, v.length);
            off += v.length;
        }
        return out;
    }

    static void setWeights(Module model, float[] w) {
        check(model, w);
        int off = 0;
        try (var off1 = GradMode.noGrad()) {
            for (Tensor p : model.parameters()) {
                int n = p.numel();
                float[] slice = new float[n];
                System.arraycopy(w, off, slice, 0, n);
                p.copyInPlace(Tensor.wrap(slice, p.shape().toArray()).to(p.device()));
                off += n;
            }
        }
    }

    /** Adds {@code scale × grad} of every parameter into {@code dst} (parameters without a gradient add nothing). */
    static void addGradients(Module model, float[] dst, float scale) {
        check(model, dst);
        int off = 0;
        for (Tensor p : model.parameters()) {
            Tensor g = p.grad();
            if (g != null) {
                float[] v = g.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    dst[off + i] += scale * v[i];
                }
            }
            off += p.numel();
        }
    }

    /** Sets each trainable parameter's {@code .grad} from {@code g}; frozen parameters get none. */
    static void setGradients(Module model, float[] g) {
        check(model, g);
        int off = 0;
        List<Tensor> params = model.parameters();
        for (Tensor p : params) {
            int n = p.numel();
            if (p.requiresGrad()) {
                float[] slice = new float[n];
                System.arraycopy(g, off, slice, 0, n);
                p.setGrad(Tensor.wrap(slice, p.shape().toArray()));
            } else {
                p.setGrad(null);
            }
            off += n;
        }
    }

    private static void check(Module model, float[] v) {
        int n = size(model);
        if (v.length != n) {
            throw new IllegalArgumentException("flat vector has " + v.length + " values, the model has " + n
                    + " parameters");
        }
    }
}
