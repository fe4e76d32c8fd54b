package dev.ember.data;

import dev.ember.data.transforms.FloatImage;
import dev.ember.data.transforms.Transform;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Cuts an {@link ImageDataset} into minibatches of NCHW floats, optionally shuffled and passed
 * through a {@link Transform} pipeline, as PyTorch's {@code DataLoader}.
 *
 * <p>Everything random is a function of (seed, epoch): the order is a permutation seeded by
 * (seed, epoch), and sample {@code i} is transformed with its own generator seeded by
 * (seed, epoch, i). The same seed therefore gives the same batches in any run and on any machine.
 * Configure separate loaders for training (shuffled, augmenting) and validation (in order,
 * deterministic transforms only).
 */
public final class DataLoader {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final ImageDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Transform transform;
    private final ImageShape shape;

    private DataLoader(Builder b, ImageShape shape) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.transform = b.transform;
        this.shape = shape;
    }

    public static Builder builder(ImageDataset dataset) {
        return new Builder(dataset);
    }

    /** The shape (C, H, W) of every image in every batch. */
    public ImageShape imageShape() {
        return shape;
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Images per batch (the last batch of an epoch may hold fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** The number of images in the dataset (every epoch visits each once, unless {@link Builder#dropLast}). */
    public int size() {
        return dataset.size();
    }

    /**
     * Whether the transform is random, so that an image's pixels differ from epoch to epoch; when not,
     * anything computed from sample i alone may be computed once and reused every epoch.
     */
    public boolean augments() {
        return transform != null && transform.isRandom();
    }

    /** The batches of epoch {@code epoch} (0-based), each freshly allocated. */
    public Iterable<Batch> epoch(int epoch) {
        Iterable<int[]> indices = indexBatches(epoch);
        return () -> new Iterator<>() {
            private final Iterator<int[]> next = indices.iterator();

            @Override
            public boolean hasNext() {
                return next.hasNext();
            }

            @Override
            public Batch next() {
                return batch(next.next(), epoch);
            }
        };
    }

    /**
     * The dataset indices of each batch of epoch {@code epoch}, in the order {@link #epoch} delivers
     * them: a trainer that caches per-sample results composes its batches from these.
     */
    public Iterable<int[]> indexBatches(int epoch) {
        int[] order = order(epoch);
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batchesPerEpoch();
            }

            @Override
            public int[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int start = batchSize * next++;
                return Arrays.copyOfRange(order, start, Math.min(start + batchSize, order.length));
            }
        };
    }

    private int[] order(int epoch) {
        return shuffle ? permutation(dataset.size(), seed, epoch) : identity(dataset.size());
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * The shuffled order of epoch {@code epoch} of {@code n} images (a Fisher-Yates shuffle seeded by
     * (seed, epoch)). Public so that the Spark trainer composes its global minibatches exactly as an
     * in-process loader with {@code shuffle(true)} does.
     */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] order = identity(n);
        SplittableRandom random = new SplittableRandom(mix(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The images {@code indices} of the dataset as one batch, transformed as in epoch {@code epoch}. */
    public Batch batch(int[] indices, int epoch) {
        int numel = shape.numel();
        float[] images = new float[indices.length * numel];
        long[] labels = new long[indices.length];
        for (int k = 0; k < indices.length; k++) {
            labels[k] = dataset.label(indices[k]);
            readSample(dataset, indices[k], indices[k], transform, shape, seed, epoch, images, k * numel);
        }
        return new Batch(images, labels, shape);
    }

    /**
     * Writes image {@code index} of {@code dataset}, passed through {@code transform} (null: none),
     * to {@code dst} at {@code offset}. The transform's generator is seeded by (seed, epoch,
     * {@code globalIndex}): the image's index in the whole dataset, which differs from {@code index}
     * when {@code dataset} is one shard of it (a Spark partition).
     */
    public static void readSample(ImageDataset dataset, int index, int globalIndex, Transform transform,
                                  ImageShape shape, long seed, int epoch, float[] dst, int offset) {
        int numel = shape.numel();
        if (transform == null) {
            dataset.readImage(index, dst, offset);
            return;
        }
        ImageShape in = dataset.shape(index);
        float[] pixels = new float[in.numel()];
        dataset.readImage(index, pixels, 0);
        FloatImage out = transform.apply(new FloatImage(pixels, in.channels(), in.height(), in.width()),
                new SplittableRandom(mix(mix(seed, epoch), globalIndex)));
        if (!out.shape().equals(shape)) {
            throw new IllegalStateException("the pipeline turned " + dataset.locate(index) + " (" + in + ") into "
                    + out.shape() + " although its outputShape promised " + shape);
        }
        System.arraycopy(out.data(), 0, dst, offset, numel);
    }

    // SplitMix64's finalizer over a golden-ratio step: well-spread seeds from small consecutive inputs.
    private static long mix(long a, long b) {
        long z = a + GOLDEN * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static final class Builder {
        private final ImageDataset dataset;
        private int batchSize = 64;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Transform transform;

        private Builder(ImageDataset dataset) {
            this.dataset = dataset;
        }

        /** Images per batch; default 64. The last batch of an epoch may be smaller unless {@link #dropLast}. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Visit images in a new seeded random order each epoch; default off (index order). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drop the last, incomplete batch of each epoch; default off. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The seed of the shuffle order and of every random transform; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The pipeline applied to each image after {@code pixel / 255f}; default none. */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /**
         * @throws DatasetFormatException when the dataset is empty, or its images have several sizes
         *         and the pipeline does not bring them to one size
         */
        public DataLoader build() {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            if (dataset.size() == 0) {
                throw new DatasetFormatException("dataset is empty: a DataLoader needs at least one image");
            }
            DataLoader loader = new DataLoader(this, outputShape());
            if (loader.batchesPerEpoch() == 0) {
                throw new IllegalArgumentException("dropLast with batch size " + batchSize + " leaves no batch of the "
                        + dataset.size() + " images");
            }
            return loader;
        }

        private ImageShape outputShape() {
            Map<ImageShape, Integer> firstIndexOf = new LinkedHashMap<>();
            for (int i = 0; i < dataset.size(); i++) {
                firstIndexOf.putIfAbsent(dataset.shape(i), i);
            }
            Map<ImageShape, Integer> firstIndexOfOutput = new LinkedHashMap<>();
            firstIndexOf.forEach((in, index) ->
                    firstIndexOfOutput.putIfAbsent(transform == null ? in : transform.outputShape(in), index));
            if (firstIndexOfOutput.size() > 1) {
                String examples = firstIndexOfOutput.values().stream().limit(3)
                        .map(i -> dataset.shape(i) + " at " + dataset.locate(i))
                        .collect(Collectors.joining(", "));
                throw new DatasetFormatException("images have different sizes (" + examples + (firstIndexOfOutput.size() > 3 ? ", ..." : "")
                        + ") and the pipeline does not give them one size; add a Resize, CenterCrop or RandomResizedCrop transform");
            }
            return firstIndexOfOutput.keySet().iterator().next();
        }
    }
}
