package dev.ember.spark;

import dev.ember.autograd.GradMode;
import dev.ember.backend.cpu.CpuStorage;
import dev.ember.core.DType;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What travels each step, as one flat vector of floats (Spark ml/ann style): the model's trainable
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
 * <p>A task's gradient is one new {@code float[]}; the driver's weights go out as {@link Segments} of
 * its tensors' own arrays ({@link #current}), which tasks in its JVM read and TCP frames are encoded
 * from, with no copy on the driver's serial path. Dense float32 CPU tensors are copied with
 * {@link System#arraycopy}: this runs every step on the driver and in every task, around a vector
 * of the model's size.
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

    /** Trainable parameters, then buffers, copied into one new array. */
    static float[] weights(Module model) {
        return current(model).toArray();
    }

    /**
     * The trainable parameters, then the buffers, as they are: {@link Segments} of the tensors' own
     * arrays (copies where a tensor is not dense float32 on the CPU). The driver sends its weights so;
     * they stay valid until it changes its model, which it does only once every task has answered
     * the message they go in.
     */
    static Segments current(Module model) {
        List<Tensor> all = travelling(model);
        float[][] arrays = new float[all.size()][];
        int[] offsets = new int[all.size()];
        int[] lengths = new int[all.size()];
        try (var off = GradMode.noGrad()) {
            for (int j = 0; j < all.size(); j++) {
                Tensor t = all.get(j);
                lengths[j] = t.numel();
                arrays[j] = dense(t);
                if (arrays[j] != null) {
                    offsets[j] = t.layout().offset();
                } else {
                    arrays[j] = new float[t.numel()];
                    copy(t, Tensor.wrap(arrays[j], t.shape().toArray()));
                }
            }
        }
        return new Segments(arrays, offsets, lengths);
    }

    /** Sets the trainable parameters and buffers from a vector laid out as {@link #current}'s. */
    static void setWeights(Module model, Segments w) {
        check(model, w.size());
        try (var off = GradMode.noGrad()) {
            forEach(model, w, Flat::assign);
        }
    }

    /**
     * A flat vector held in pieces: element {@code k} of piece {@code j} is
     * {@code arrays[j][offsets[j] + k]}, {@code k < lengths[j]}; the pieces in order make the vector.
     */
    record Segments(float[][] arrays, int[] offsets, int[] lengths) {
        static Segments of(float[] v) {
            return new Segments(new float[][] {v}, new int[] {0}, new int[] {v.length});
        }

        int size() {
            int n = 0;
            for (int len : lengths) {
                n += len;
            }
            return n;
        }

        /** The floats in order into {@code to} (a float view of a wire buffer). */
        void writeTo(FloatBuffer to) {
            for (int j = 0; j < arrays.length; j++) {
                to.put(arrays[j], offsets[j], lengths[j]);
            }
        }

        /** The vector as one new array. */
        float[] toArray() {
            float[] out = new float[size()];
            int at = 0;
            for (int j = 0; j < arrays.length; j++) {
                System.arraycopy(arrays[j], offsets[j], out, at, lengths[j]);
                at += lengths[j];
            }
            return out;
        }
    }

    /** Each trainable parameter's gradient (zeros where it has none), then the buffers. */
    static float[] gradients(Module model) {
        float[] out = new float[size(model)];
        int params = model.trainableParameters().size();
        try (var off = GradMode.noGrad()) {
            int[] k = {0};
            forEach(model, Segments.of(out), (t, slot) -> {
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
        check(model, mean.length);
        int params = model.trainableParameters().size();
        int[] k = {0};
        try (var off = GradMode.noGrad()) {
            forEach(model, Segments.of(mean), (t, slot) -> {
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

    /**
     * Calls {@code action(tensor, its values in v as a CPU float tensor of its shape)} in order. Each
     * tensor's values lie in one piece of {@code v}: one piece holds the whole vector, or there is one
     * piece per tensor.
     */
    private static void forEach(Module model, Segments v, BiConsumer<Tensor, Tensor> action) {
        List<Tensor> all = travelling(model);
        boolean whole = v.arrays().length == 1;
        if (!whole && v.arrays().length != all.size()) {
            throw new IllegalArgumentException("a vector of " + v.arrays().length + " pieces for " + all.size() + " tensors");
        }
        int off = 0;
        for (int j = 0; j < all.size(); j++) {
            Tensor t = all.get(j);
            int n = t.numel();
            float[] array = v.arrays()[whole ? 0 : j];
            int start = whole ? v.offsets()[0] + off : v.offsets()[j];
            action.accept(t, Tensor.wrap(array, array.length).narrow(0, start, n).view(t.shape().toArray()));
            off += n;
        }
    }

    private static void check(Module model, int values) {
        int n = size(model);
        if (values != n) {
            throw new IllegalArgumentException("flat vector has " + values + " values, the model has " + n
                    + " trainable parameters and buffer elements");
        }
    }
}
