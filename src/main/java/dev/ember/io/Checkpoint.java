package dev.ember.io;

import dev.ember.nn.Module;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint as one safetensors file: the model's state dict under {@code model.}, the
 * optimizer's state under {@code optimizer.}, and string metadata (format, epoch, step, the global
 * RNG state, the optimizer's class and hyperparameters, and whatever the caller adds, e.g. the job
 * config). Written atomically; reading validates the file and the format marker.
 */
public final class Checkpoint {
    public static final String FORMAT = "ember-checkpoint-1";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    private Checkpoint() {
    }

    /** What a checkpoint holds. */
    public record Contents(Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, String> metadata) {
        public int epoch() {
            return Integer.parseInt(metadata.getOrDefault("epoch", "0"));
        }

        public long step() {
            return Long.parseLong(metadata.getOrDefault("step", "0"));
        }
    }

    public static void save(Path path, Module model, Optimizer optimizer, int epoch, long step,
                            Map<String, String> extra) {
        AtomicFiles.write(path, toBytes(model, optimizer, epoch, step, extra));
    }

    public static byte[] toBytes(Module model, Optimizer optimizer, int epoch, long step, Map<String, String> extra) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("step", Long.toString(step));
        meta.put("rng_state", Base64.getEncoder().encodeToString(Generator.global().getState()));
        if (optimizer != null) {
            optimizer.stateDict().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
            meta.put("optimizer", optimizer.getClass().getSimpleName());
            meta.put("optimizer_hyperparameters", Json.write(optimizer.hyperparameters()));
        }
        if (extra != null) {
            extra.forEach((k, v) -> {
                if (meta.containsKey(k)) {
                    throw new IllegalArgumentException("checkpoint metadata key '" + k + "' is reserved");
                }
                meta.put(k, v);
            });
        }
        return SafeTensors.toBytes(tensors, meta);
    }

    public static Contents read(Path path) {
        return fromBytes(SafeTensors.read(path), path.toString());
    }

    public static Contents read(byte[] bytes, String source) {
        return fromBytes(SafeTensors.read(bytes, source), source);
    }

    private static Contents fromBytes(SafeTensors.Contents file, String source) {
        if (!FORMAT.equals(file.metadata().get("format"))) {
            throw new IllegalArgumentException(source + " is a safetensors file but not an Ember checkpoint (metadata "
                    + "'format' is " + file.metadata().get("format") + ", expected " + FORMAT + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        file.tensors().forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIMIZER)) {
                optimizer.put(k.substring(OPTIMIZER.length()), v);
            } else {
                throw new IllegalArgumentException(source + ": unexpected tensor '" + k + "' in checkpoint");
            }
        });
        return new Contents(model, optimizer, file.metadata());
    }

    /** Puts model, optimizer and the global RNG back as they were when the checkpoint was written. */
    public static void restore(Contents c, Module model, Optimizer optimizer) {
        model.loadStateDict(c.model(), true);
        if (optimizer != null) {
            optimizer.loadStateDict(c.optimizer());
        }
        String rng = c.metadata().get("rng_state");
        if (rng != null) {
            Generator.global().setState(Base64.getDecoder().decode(rng));
        }
    }
}
