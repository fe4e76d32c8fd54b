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
        try (var off = GradMode.noGrad()) {
            forEach(model, out, (p, slot) -> slot.copyInPlace(p));
        }
        return out;
    }

    static void setWeights(Module model, float[] w) {
        check(model, w);
        try (var off = GradMode.noGrad()) {
            forEach(model, w, (p, slot) -> p.copyInPlace(slot));
        }
    }

    /** {@code scale × grad} of every parameter, flat (zeros where a parameter has no gradient). */
    static float[] gradients(Module model, float scale) {
        float[] out = new float[size(model)];
        try (var off = GradMode.noGrad()) {
            forEach(model, out, (p, slot) -> {
                if (p.grad() != null) {
                    slot.copyInPlace(p.grad());
                }
            });
        }
        if (scale != 1) {
            for (int i = 0; i < out.length; i++) {
                out[i] *= scale;
            }
        }
        return out;
    }

    /** Makes each trainable parameter's {@code .grad} a view of its slice of {@code g} (no copy). */
    static void setGradients(Module model, float[] g) {
        check(model, g);
        forEach(model, g, Tensor::setGrad);
    }

    /** Calls {@code action(parameter, its slice of flat as a CPU tensor of its shape)} in order. */
    private static void forEach(Module model, float[] flat, java.util.function.BiConsumer<Tensor, Tensor> action) {
        Tensor all = Tensor.wrap(flat, flat.length);
        int off = 0;
        for (Tensor p : model.trainableParameters()) {
            int n = p.numel();
            action.accept(p, all.narrow(0, off, n).view(p.shape().toArray()));
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
