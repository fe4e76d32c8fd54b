package dev.ember.spark;

import dev.ember.autograd.GradMode;
import dev.ember.backend.cpu.CpuStorage;
import dev.ember.core.DType;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What travels each step, as one flat {@code float[]} (Spark ml/ann style): the model's trainable
 * parameters in {@link Module#trainableParameters()} order, then its buffers in
 * {@link Module#namedBuffers()} order (BatchNorm's running statistics and step counter; int64 buffers
 * travel as floats and are rounded back). The driver sends weights and buffers; a task sends its
 * mean-loss gradient, then its buffers after the step, with its row count, and the driver sums
 * {@code count ×} vector over tasks and divides by the global batch: the global gradient followed
 * by the count-weighted mean of the tasks' buffers. Every task and the driver continue from the same
 * running statistics, as PyTorch's DistributedDataParallel keeps them equal by broadcasting buffers.
 * Frozen parameters never change, so they do not travel: executors get them once per run in the
 * driver's state dict.
 *
 * <p>Dense float32 CPU tensors are copied with {@link System#arraycopy}: this runs every step on
 * the driver and in every task, around a vector of the model's size.
 */
final class Flat {
    private Flat() {
    }

    static int size(Module model) {
        int n = 0;
        for (Tensor t : travelling(model)) {
            n += t.numel();
        }
        return n;
    }

    /** Trainable parameters, then buffers. */
    static float[] weights(Module model) {
        float[] out = new float[size(model)];
        try (var off = GradMode.noGrad()) {
            forEach(model, out, (t, slot) -> copy(t, slot));
        }
        return out;
    }

    static void setWeights(Module model, float[] w) {
        check(model, w);
        try (var off = GradMode.noGrad()) {
            forEach(model, w, Flat::assign);
        }
    }

    /** Each trainable parameter's gradient (zeros where it has none), then the buffers. */
    static float[] gradients(Module model) {
        float[] out = new float[size(model)];
        int params = model.trainableParameters().size();
        try (var off = GradMode.noGrad()) {
            int[] k = {0};
            forEach(model, out, (t, slot) -> {
                Tensor v = k[0]++ < params ? t.grad() : t;
                if (v != null) {
                    copy(v, slot);
                }
            });
        }
        return out;
    }

    /**
     * From the tasks' averaged vector: each trainable parameter's {@code .grad} becomes a view of its
     * slice (no copy), and each buffer takes its averaged value.
     */
    static void setAverages(Module model, float[] mean) {
        check(model, mean);
        int params = model.trainableParameters().size();
        int[] k = {0};
        try (var off = GradMode.noGrad()) {
            forEach(model, mean, (t, slot) -> {
                if (k[0]++ < params) {
                    t.setGrad(slot);
                } else {
                    assign(t, slot);
                }
            });
        }
    }

    /** slot (a dense float32 CPU view of a flat vector) = t, converted to float32. */
    private static void copy(Tensor t, Tensor slot) {
        float[] from = dense(t);
        if (from != null) {
            System.arraycopy(from, t.layout().offset(), dense(slot), slot.layout().offset(), t.numel());
        } else {
            slot.copyInPlace(t.to(DType.FLOAT32));
        }
    }

    /** t's backing array when t is a dense float32 CPU tensor (its elements from its layout's offset), else null. */
    private static float[] dense(Tensor t) {
        return t.dtype() == DType.FLOAT32 && t.layout().isContiguous() && t.storage() instanceof CpuStorage c
                ? c.floats() : null;
    }

    private static void assign(Tensor t, Tensor slot) {
        float[] to = dense(t);
        if (to != null) {
            System.arraycopy(dense(slot), slot.layout().offset(), to, t.layout().offset(), t.numel());
            t.storage().bumpVersion();
        } else if (t.dtype() == DType.INT64) {
            float[] v = slot.toFloatArray();
            long[] rounded = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                rounded[i] = Math.round(v[i]);
            }
            t.copyInPlace(Tensor.wrap(rounded, t.shape().toArray()));
        } else {
            t.copyInPlace(slot);
        }
    }

    private static List<Tensor> travelling(Module model) {
        List<Tensor> all = new ArrayList<>(model.trainableParameters());
        all.addAll(model.namedBuffers().values());
        return all;
    }

    /** Calls {@code action(tensor, its slice of flat as a CPU float tensor of its shape)} in order. */
    private static void forEach(Module model, float[] flat, java.util.function.BiConsumer<Tensor, Tensor> action) {
        Tensor all = Tensor.wrap(flat, flat.length);
        int off = 0;
        for (Tensor t : travelling(model)) {
            int n = t.numel();
            action.accept(t, all.narrow(0, off, n).view(t.shape().toArray()));
            off += n;
        }
    }

    private static void check(Module model, float[] v) {
        int n = size(model);
        if (v.length != n) {
            throw new IllegalArgumentException("flat vector has " + v.length + " values, the model has " + n
                    + " trainable parameters and buffer elements");
        }
    }
}
