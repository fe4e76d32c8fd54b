package dev.ember.train;

import dev.ember.autograd.GradMode;
import dev.ember.core.Device;
import dev.ember.data.Batch;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

import java.util.Arrays;
import java.util.Iterator;

/**
 * A frozen backbone's output for every sample of a set, with the labels, kept on the host as rows of
 * one float array: computed once, in batches and without a graph, then gathered into minibatches in
 * whatever order an epoch visits the samples.
 */
public final class Features {
    private final float[] values;
    private final long[] labels;
    private final int[] sampleShape;

    private Features(float[] values, long[] labels, int[] sampleShape) {
        this.values = values;
        this.labels = labels;
        this.sampleShape = sampleShape;
    }

    /**
     * Runs {@code backbone} over {@code inOrder}, batches holding samples 0, 1, 2, … of a set of
     * {@code size} samples, each once and in order. The backbone's modes are left as they are: a
     * {@link FrozenPrefix} backbone computes the same in training and eval mode.
     */
    public static Features compute(Module backbone, int size, Iterator<Batch> inOrder, Device device) {
        float[] values = null;
        long[] labels = new long[size];
        int[] sampleShape = null;
        int done = 0;
        try (var off = GradMode.noGrad()) {
            while (inOrder.hasNext()) {
                Batch b = inOrder.next();
                Tensor out = backbone.forward(Steps.images(b, device));
                if (values == null) {
                    int[] shape = out.shape().toArray();
                    sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
                    values = new float[Math.multiplyExact(size, width(sampleShape))];
                }
                float[] rows = out.toFloatArray();
                System.arraycopy(rows, 0, values, done * width(sampleShape), rows.length);
                System.arraycopy(b.labels(), 0, labels, done, b.size());
                done += b.size();
            }
        }
        if (done != size) {
            throw new IllegalArgumentException("expected batches of " + size + " samples, got " + done);
        }
        return new Features(values == null ? new float[0] : values, labels, sampleShape == null ? new int[0] : sampleShape);
    }

    private static int width(int[] sampleShape) {
        return Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
    }

    public int size() {
        return labels.length;
    }

    /** The shape of one sample's features, e.g. [84]. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** The features of samples {@code rows}, in that order: [rows.length, sampleShape…]. */
    public Tensor inputs(int[] rows, Device device) {
        int w = width(sampleShape);
        float[] out = new float[rows.length * w];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(values, rows[k] * w, out, k * w, w);
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = rows.length;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Tensor.wrap(out, shape).to(device);
    }

    /** The labels of samples {@code rows}, in that order: [rows.length] (int64). */
    public Tensor labels(int[] rows, Device device) {
        long[] out = new long[rows.length];
        for (int k = 0; k < rows.length; k++) {
            out[k] = labels[rows[k]];
        }
        return Tensor.wrap(out, rows.length).to(device);
    }
}
