package dev.ember.job;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Every key a job file may set, with its type, default and meaning. */
public enum JobKey {
    NAME("name", Type.STRING, null, true, "the job's name; the run directory is named after it"),
    MODEL("model", Type.STRING, null, true, "mlp, lenet5, cnn, resnet18, resnet34 or densenet121"),
    HIDDEN("hidden", Type.LIST, "256", false,
            "hidden layer sizes of the mlp, comma-separated; for the cnn, its classifier's one hidden width"),
    CNN_LAYERS("cnn_layers", Type.LIST, "32,32,M,64,64,M,128,128,M", false,
            "the cnn's 3×3 conv widths (each with BatchNorm and ReLU) and M for 2×2 max pools, comma-separated"),
    CNN_POOL("cnn_pool", Type.INTEGER, "1", false,
            "side of the cnn's average pool before its classifier (1: global average; 7: keep a 7×7 map)"),
    DROPOUT("dropout", Type.NUMBER, "0.5", false, "dropout probability before the cnn's last layer"),
    TRAIN("train", Type.STRING, null, true, "training dataset: a directory of Parquet image files"),
    VALIDATION("validation", Type.STRING, "", false, "validation dataset directory (default: a split of train)"),
    TRAIN_SUBSET("train_subset", Type.INTEGER, "0", false,
            "train on a stratified, seeded subset of this many images (0: all)"),
    VALIDATION_SPLIT("validation_split", Type.NUMBER, "0.1", false,
            "fraction of train held out (stratified, seeded) when no validation dataset is given"),
    EPOCHS("epochs", Type.INTEGER, "10", false, "number of passes over the training data"),
    BATCH_SIZE("batch_size", Type.INTEGER, "64", false, "global minibatch size (split across partitions on Spark)"),
    OPTIMIZER("optimizer", Type.STRING, "sgd", false, "sgd, adam or adamw"),
    LR("lr", Type.NUMBER, "0.01", false, "learning rate"),
    MOMENTUM("momentum", Type.NUMBER, "0.0", false, "SGD momentum"),
    NESTEROV("nesterov", Type.BOOLEAN, "false", false, "SGD Nesterov momentum"),
    WEIGHT_DECAY("weight_decay", Type.NUMBER, "0.0", false, "L2 (SGD, Adam) or decoupled (AdamW) weight decay"),
    SCHEDULER("scheduler", Type.STRING, "none", false, "none, step or cosine"),
    STEP_SIZE("step_size", Type.INTEGER, "5", false, "StepLR period in epochs"),
    GAMMA("gamma", Type.NUMBER, "0.1", false, "StepLR decay factor"),
    LABEL_SMOOTHING("label_smoothing", Type.NUMBER, "0.0", false, "cross-entropy label smoothing"),
    NORMALIZE_MEAN("normalize_mean", Type.LIST, "0.5", false, "per-channel mean subtracted after scaling to [0,1]"),
    NORMALIZE_STD("normalize_std", Type.LIST, "0.5", false, "per-channel standard deviation divided by"),
    RESIZE("resize", Type.INTEGER, "0", false, "resize images to this square size (0: keep)"),
    AUGMENT("augment", Type.BOOLEAN, "false", false, "random flips and small rotations when training"),
    SEED("seed", Type.INTEGER, "0", false, "seed of initialisation, shuffling and augmentation"),
    EARLY_STOPPING("early_stopping", Type.INTEGER, "0", false, "stop after this many epochs without better val loss"),
    DEVICE("device", Type.STRING, "cpu", false, "cpu or cuda"),
    GPU_FALLBACK("gpu_fallback", Type.BOOLEAN, "false", false, "run on the CPU instead of failing when no GPU is found"),
    GPUS_PER_TASK("gpus_per_task", Type.NUMBER, "1", false,
            "GPUs Spark reserves per task when device = cuda (a fraction such as 0.5 shares a GPU between tasks)"),
    ENGINE("engine", Type.STRING, "spark", false, "spark (distributed) or local (in-process)"),
    MASTER("master", Type.STRING, "local[*]", false, "Spark master URL"),
    EXCHANGE("exchange", Type.STRING, "auto", false, "how Spark tasks and the driver exchange weights and gradients: "
            + "auto (in memory for tasks in the driver's JVM, as with local masters; TCP for the others) or tcp (always)"),
    PARTITIONS("partitions", Type.INTEGER, "0", false, "Spark partitions of the training data (0: one per core)"),
    CHECKPOINT_DIR("checkpoint_dir", Type.STRING, "", false, "where checkpoints go (any Hadoop path; default OUT/checkpoints)"),
    OUT("out", Type.STRING, "", false, "run directory (default runs/NAME-TIMESTAMP)"),
    PRETRAINED("pretrained", Type.STRING, "", false, "safetensors weights to start from"),
    HEAD("head", Type.LIST, "", false, "module paths left out of the pretrained weights (a new head), comma-separated"),
    FREEZE("freeze", Type.LIST, "", false, "module paths to freeze (no gradient, BatchNorm kept in eval), comma-separated"),
    FEATURE_CACHE("feature_cache", Type.BOOLEAN, "true", false, "when the model starts with frozen layers and augment "
            + "is off, compute their output once per image and train only the rest (false: run the whole model every step)"),
    NUM_CLASSES("num_classes", Type.INTEGER, "0", false, "classes of the model's head (0: from the dataset)");

    private enum Type { STRING, INTEGER, NUMBER, BOOLEAN, LIST }

    private final String key;
    private final Type type;
    private final String defaultText;
    private final boolean required;
    private final String help;

    JobKey(String key, Type type, String defaultText, boolean required, String help) {
        this.key = key;
        this.type = type;
        this.defaultText = defaultText;
        this.required = required;
        this.help = help;
    }

    public String key() {
        return key;
    }

    public boolean required() {
        return required;
    }

    public String help() {
        return help;
    }

    Object defaultValue() {
        return defaultText == null ? null : parse(defaultText, "default of " + key);
    }

    static JobKey lookup(String name, String where) {
        for (JobKey k : values()) {
            if (k.key.equals(name)) {
                return k;
            }
        }
        JobKey closest = Arrays.stream(values())
                .min((a, b) -> Integer.compare(distance(a.key, name), distance(b.key, name))).orElseThrow();
        throw new JobConfigException(where + ": unknown key '" + name + "'"
                + (distance(closest.key, name) <= 3 ? " (did you mean '" + closest.key + "'?)" : "")
                + "; known keys: " + Arrays.stream(values()).map(JobKey::key).toList());
    }

    Object parse(String raw, String where) {
        String what = where + ": " + key + ": expected ";
        switch (type) {
            case STRING -> {
                return raw;
            }
            case INTEGER -> {
                try {
                    return Integer.parseInt(raw);
                } catch (NumberFormatException e) {
                    throw new JobConfigException(what + "an integer, got '" + raw + "'");
                }
            }
            case NUMBER -> {
                try {
                    return Double.parseDouble(raw);
                } catch (NumberFormatException e) {
                    throw new JobConfigException(what + "a number, got '" + raw + "'");
                }
            }
            case BOOLEAN -> {
                String b = raw.toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new JobConfigException(what + "true or false, got '" + raw + "'");
                }
                return Boolean.parseBoolean(b);
            }
            default -> {
                return raw.isBlank() ? List.of() : Arrays.stream(raw.split(",")).map(String::strip).toList();
            }
        }
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
