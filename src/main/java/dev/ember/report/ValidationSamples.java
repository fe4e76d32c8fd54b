package dev.ember.report;

import dev.ember.core.DType;
import dev.ember.io.SafeTensors;
import dev.ember.tensor.Tensor;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code samples.safetensors}: K validation images [K, C, H, W] in [0, 1], their true labels [K] and
 * the model's softmax outputs [K, numClasses], kept as flat arrays.
 */
public record ValidationSamples(float[] images, int channels, int height, int width, long[] labels, float[] probs,
                                int numClasses) {

    public ValidationSamples {
        int k = labels.length;
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images must have 1 (grey) or 3 (RGB) channels, got " + channels);
        }
        if (images.length != k * channels * height * width) {
            throw new IllegalArgumentException("images hold " + images.length + " values, not " + k + " x " + channels
                    + " x " + height + " x " + width);
        }
        if (numClasses < 1 || probs.length != k * numClasses) {
            throw new IllegalArgumentException("probs hold " + probs.length + " values, not " + k + " x " + numClasses);
        }
        for (int i = 0; i < k; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is not a class in [0, "
                        + numClasses + ")");
            }
        }
    }

    public int count() {
        return labels.length;
    }

    /** Example i's class probabilities. */
    public float[] probs(int i) {
        float[] p = new float[numClasses];
        System.arraycopy(probs, i * numClasses, p, 0, numClasses);
        return p;
    }

    /** Example i's classes, most probable first (ties: lower class first). */
    public int[] ranking(int i) {
        float[] p = probs(i);
        return IntStream.range(0, numClasses).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -p[c]).thenComparingInt(c -> c))
                .mapToInt(Integer::intValue).toArray();
    }

    public int predicted(int i) {
        return ranking(i)[0];
    }

    public double confidence(int i) {
        return probs[i * numClasses + predicted(i)];
    }

    public boolean wrong(int i) {
        return predicted(i) != labels[i];
    }

    /** Example i's pixels, [C, H, W] row-major. */
    public float[] image(int i) {
        int n = channels * height * width;
        float[] px = new float[n];
        System.arraycopy(images, i * n, px, 0, n);
        return px;
    }

    /** Indices of the wrong predictions, most confident first. */
    public List<Integer> confidentlyWrong() {
        return IntStream.range(0, count()).filter(this::wrong).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -confidence(i))).toList();
    }

    /**
     * Picks k examples from a validation batch for the report: up to half of them are the wrong
     * predictions with the highest top probability (the most instructive mistakes), the rest are the
     * other examples in dataset order. The picked ones keep their dataset order.
     *
     * @param images [N, C, H, W] in [0, 1] (un-normalised)
     * @param labels [N] int64
     * @param probs  [N, numClasses] softmax outputs
     */
    public static ValidationSamples select(Tensor images, Tensor labels, Tensor probs, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        if (images.dim() != 4 || labels.dim() != 1 || probs.dim() != 2 || images.size(0) != labels.size(0)
                || probs.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("expected images [N, C, H, W], labels [N] and probs [N, classes], got "
                    + images.shape() + ", " + labels.shape() + ", " + probs.shape());
        }
        ValidationSamples all = new ValidationSamples(images.detach().toFloatArray(), images.size(1), images.size(2),
                images.size(3), labels.toLongArray(), probs.detach().toFloatArray(), probs.size(1));
        List<Integer> picked = new ArrayList<>(all.confidentlyWrong().stream().limit(k / 2).toList());
        for (int i = 0; i < all.count() && picked.size() < k; i++) {
            if (!picked.contains(i)) {
                picked.add(i);
            }
        }
        return all.subset(picked.stream().sorted().mapToInt(Integer::intValue).toArray());
    }

    private ValidationSamples subset(int[] indices) {
        int n = channels * height * width;
        float[] img = new float[indices.length * n];
        long[] lab = new long[indices.length];
        float[] pr = new float[indices.length * numClasses];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            System.arraycopy(images, i * n, img, j * n, n);
            lab[j] = labels[i];
            System.arraycopy(probs, i * numClasses, pr, j * numClasses, numClasses);
        }
        return new ValidationSamples(img, channels, height, width, lab, pr, numClasses);
    }

    public void write(Path file) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("images", Tensor.wrap(images, count(), channels, height, width));
        t.put("labels", Tensor.wrap(labels, count()));
        t.put("probs", Tensor.wrap(probs, count(), numClasses));
        SafeTensors.write(file, t, Map.of());
    }

    public static ValidationSamples read(Path file) {
        try {
            Map<String, Tensor> t = SafeTensors.read(file).tensors();
            Tensor images = tensor(t, "images", DType.FLOAT32, 4);
            Tensor labels = tensor(t, "labels", DType.INT64, 1);
            Tensor probs = tensor(t, "probs", DType.FLOAT32, 2);
            if (images.size(0) != labels.size(0) || probs.size(0) != labels.size(0)) {
                throw new IllegalArgumentException("images " + images.shape() + ", labels " + labels.shape()
                        + " and probs " + probs.shape() + " disagree on the number of examples");
            }
            return new ValidationSamples(images.toFloatArray(), images.size(1), images.size(2), images.size(3),
                    labels.toLongArray(), probs.toFloatArray(), probs.size(1));
        } catch (UncheckedIOException e) {
            throw new RunFileException(file, "cannot read: " + e.getCause().getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RunFileException(file, e.getMessage());
        }
    }

    private static Tensor tensor(Map<String, Tensor> tensors, String name, DType dtype, int rank) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' (has " + tensors.keySet() + ")");
        }
        if (t.dtype() != dtype || t.dim() != rank) {
            throw new IllegalArgumentException("tensor '" + name + "' must be " + dtype + " of rank " + rank + ", got "
                    + t.dtype() + " " + t.shape());
        }
        return t;
    }
}
