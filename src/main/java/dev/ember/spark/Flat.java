package dev.ember.spark;

import dev.ember.autograd.GradMode;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

/**
 * A model's trainable parameters as one flat {@code float[]} (Spark ml/ann style), in
 * {@link Module#trainableParameters()} order: what the driver sends to executors each step and what
 * their gradients come back as. Frozen parameters never change, so they do not travel: executors
 * get them, with the buffers, once per run in the driver's state dict, and freeze the same paths.
 */
final class Flat {
    private Flat() {
    }

    static int size(Module model) {
        int n = 0;
        for (Tensor p : model.trainableParameters()) {
            n += p.numel();
        }
        return n;
    }

    static float[] weights(Module model) {
        float[] out = new float[size(model)];
        int off = 0;
        for (Tensor p : model.trainableParameters()) {
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
            for (Tensor p : model.trainableParameters()) {
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
        for (Tensor p : model.trainableParameters()) {
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

    /** Sets each trainable parameter's {@code .grad} from {@code g}. */
    static void setGradients(Module model, float[] g) {
        check(model, g);
        int off = 0;
        for (Tensor p : model.trainableParameters()) {
            int n = p.numel();
            float[] slice = new float[n];
            System.arraycopy(g, off, slice, 0, n);
            p.setGrad(Tensor.wrap(slice, p.shape().toArray()));
            off += n;
        }
    }

    private static void check(Module model, float[] v) {
        int n = size(model);
        if (v.length != n) {
            throw new IllegalArgumentException("flat vector has " + v.length + " values, the model has " + n
                    + " trainable parameters");
        }
    }
}
