package dev.ember.models;

import dev.ember.core.DType;
import dev.ember.core.Shape;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A state dict read from safetensors files (e.g. written by PyTorch's
 * {@code safetensors.torch.save_file(model.state_dict(), ...)}), possibly split across part files,
 * ready to load into a model:
 * <pre>
 * ResNet model = ResNet.resnet18(1000, 3);
 * PretrainedWeights.read(PretrainedWeights.parts(dir, "resnet18")).loadInto(model, true);
 * // transfer learning: a new head; the old head's weights are left out, and the report lists
 * // fc.weight and fc.bias as missing (kept as initialised)
 * model.setChild("fc", new Linear(model.featureWidth(), 10));
 * PretrainedWeights.read(files).without("fc").loadInto(model, false);
 * </pre>
 * Loading checks every name and shape first and fails with one message that counts and lists the
 * missing, unexpected and mis-shaped keys (with shapes), grouped so a 100-key model's error stays
 * readable; nothing is copied unless the check passes. Parameters and buffers (BatchNorm running
 * statistics, the int64 {@code num_batches_tracked}) are copied in place, converted to the model's
 * dtype.
 */
public final class PretrainedWeights {
    /** Keys listed per category in an error before the rest are summarised. */
    static final int LIST_LIMIT = 40;

    private static final Pattern PART = Pattern.compile("\\.part(\\d+)\\.safetensors$");

    private final Map<String, Tensor> tensors;
    private final Map<String, String> sources;

    private PretrainedWeights(Map<String, Tensor> tensors, Map<String, String> sources) {
        this.tensors = tensors;
        this.sources = sources;
    }

    /** Wraps an in-memory state dict (e.g. another model's {@code stateDict()}). */
    public static PretrainedWeights of(Map<String, Tensor> state) {
        return new PretrainedWeights(new LinkedHashMap<>(state), new LinkedHashMap<>());
    }

    /** Reads and merges safetensors files in order; a name in two files is an error naming both. */
    public static PretrainedWeights read(Path... files) {
        return read(List.of(files));
    }

    public static PretrainedWeights read(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no safetensors files given");
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Path f : files) {
            for (var e : SafeTensors.read(f).tensors().entrySet()) {
                String before = sources.putIfAbsent(e.getKey(), f.toString());
                if (before != null) {
                    throw new IllegalArgumentException("tensor '" + e.getKey() + "' is in both " + before + " and " + f);
                }
                all.put(e.getKey(), e.getValue());
            }
        }
        return new PretrainedWeights(all, sources);
    }

    /**
     * The files of one checkpoint in {@code dir}: {@code NAME.safetensors} alone, or
     * {@code NAME.part0.safetensors}, {@code NAME.part1…} in part order (which must run 0..n-1 without gaps).
     */
    public static List<Path> parts(Path dir, String name) {
        Path single = dir.resolve(name + ".safetensors");
        Pattern part = Pattern.compile(Pattern.quote(name) + "\\.part(\\d+)\\.safetensors");
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> part.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(PretrainedWeights::partIndex)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (Files.isRegularFile(single)) {
            if (!parts.isEmpty()) {
                throw new IllegalArgumentException(dir + " holds both " + single.getFileName() + " and part files "
                        + parts.stream().map(p -> p.getFileName().toString()).toList());
            }
            return List.of(single);
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no " + name + ".safetensors or " + name + ".partK.safetensors in " + dir);
        }
        for (int i = 0; i < parts.size(); i++) {
            if (partIndex(parts.get(i)) != i) {
                throw new IllegalArgumentException("part files of " + name + " in " + dir + " do not run 0.." + (parts.size() - 1)
                        + ": " + parts.stream().map(p -> p.getFileName().toString()).toList());
            }
        }
        return parts;
    }

    private static int partIndex(Path p) {
        Matcher m = PART.matcher(p.getFileName().toString());
        if (!m.find()) {
            throw new IllegalStateException(p.toString());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Every tensor by name, in file order. */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** One tensor; fails naming what there is when absent. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' among " + tensors.size() + " tensors");
        }
        return t;
    }

    /**
     * These weights without the keys at the given paths: a path drops the key equal to it and every
     * key under it ({@code "fc"} drops {@code fc.weight} and {@code fc.bias}; {@code "__input__"} drops that
     * extra tensor). A path that matches nothing is an error, to catch typos.
     */
    public PretrainedWeights without(String... paths) {
        Map<String, Tensor> kept = new LinkedHashMap<>(tensors);
        for (String path : paths) {
            Predicate<String> under = k -> k.equals(path) || k.startsWith(path + ".");
            if (!kept.keySet().removeIf(under)) {
                throw new IllegalArgumentException("without: no key is or lies under '" + path + "'");
            }
        }
        Map<String, String> src = new LinkedHashMap<>(sources);
        src.keySet().retainAll(kept.keySet());
        return new PretrainedWeights(kept, src);
    }

    /**
     * The keys under {@code path}, with {@code path + "."} taken off: e.g. {@code under("backbone")} of a
     * whole-model checkpoint gives the backbone's own state dict. Fails when no key lies under it.
     */
    public PretrainedWeights under(String path) {
        String prefix = path + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> src = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
                src.put(k.substring(prefix.length()), sources.get(k));
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException("under: no key lies under '" + path + "'");
        }
        return new PretrainedWeights(out, src);
    }

    /** These weights with {@code prefix} taken off every key that has it (e.g. DataParallel's {@code "module."}). */
    public PretrainedWeights stripPrefix(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> src = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            String k = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
            if (out.put(k, e.getValue()) != null) {
                throw new IllegalArgumentException("stripPrefix('" + prefix + "'): two keys become '" + k + "'");
            }
            src.put(k, sources.get(e.getKey()));
        }
        return new PretrainedWeights(out, src);
    }

    /** What {@link #loadInto} did: keys loaded, and (non-strict only) the model's keys left as they were and the checkpoint's keys ignored. */
    public record LoadReport(List<String> loadedKeys, List<String> missingKeys, List<String> unexpectedKeys) {
        @Override
        public String toString() {
            return "loaded " + loadedKeys.size() + " tensors; " + missingKeys.size() + " missing " + missingKeys
                    + "; " + unexpectedKeys.size() + " unexpected " + unexpectedKeys;
        }
    }

    /**
     * Copies these weights into {@code model}'s parameters and buffers. With {@code strict}, the keys
     * must match the model's state dict exactly; without it, missing keys keep the model's values and
     * unexpected keys are ignored (both reported). Shapes must always match. On any problem nothing is
     * copied and an {@link IllegalArgumentException} lists every problem.
     */
    public LoadReport loadInto(Module model, boolean strict) {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = tensors.get(e.getKey());
            Tensor dst = e.getValue();
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.shape().equals(dst.shape())) {
                String file = sources.get(e.getKey());
                mismatched.add(e.getKey() + ": checkpoint " + shape(src) + (file == null ? "" : " (" + file + ")")
                        + " vs model " + shape(dst));
            } else if (dst.dtype() != DType.INT64 && src.dtype() == DType.INT64 || dst.dtype() == DType.INT64
                    && src.dtype() != DType.INT64) {
                mismatched.add(e.getKey() + ": checkpoint dtype " + src.dtype().torchName() + " vs model "
                        + dst.dtype().torchName());
            } else {
                loaded.add(e.getKey());
            }
        }
        Set<String> unexpectedSet = new LinkedHashSet<>(tensors.keySet());
        unexpectedSet.removeAll(own.keySet());
        List<String> unexpected = new ArrayList<>(unexpectedSet);
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new IllegalArgumentException(describe(model, own, missing, unexpected, mismatched, strict));
        }
        Map<String, Tensor> state = new LinkedHashMap<>(tensors);
        state.keySet().retainAll(own.keySet());
        model.loadStateDict(state, false);
        return new LoadReport(List.copyOf(loaded), List.copyOf(missing), List.copyOf(unexpected));
    }

    private String describe(Module model, Map<String, Tensor> own, List<String> missing, List<String> unexpected,
                            List<String> mismatched, boolean strict) {
        StringBuilder sb = new StringBuilder("cannot load ").append(tensors.size()).append(" checkpoint tensors into ")
                .append(model.getClass().getSimpleName()).append(" (").append(own.size()).append(" keys, strict=")
                .append(strict).append("): ");
        List<String> counts = new ArrayList<>();
        if (!missing.isEmpty() && strict) {
            counts.add(missing.size() + " missing");
        }
        if (!unexpected.isEmpty() && strict) {
            counts.add(unexpected.size() + " unexpected");
        }
        if (!mismatched.isEmpty()) {
            counts.add(mismatched.size() + " mismatched");
        }
        sb.append(String.join(", ", counts));
        if (!mismatched.isEmpty()) {
            section(sb, "mismatched (shape or integer/float dtype)", mismatched);
        }
        if (strict && !missing.isEmpty()) {
            section(sb, "missing from the checkpoint (model shape)",
                    missing.stream().map(k -> k + " " + shape(own.get(k))).toList());
        }
        if (strict && !unexpected.isEmpty()) {
            section(sb, "unexpected in the checkpoint (checkpoint shape)",
                    unexpected.stream().map(k -> k + " " + shape(tensors.get(k))).toList());
        }
        String hint = prefixHint(missing, unexpected);
        if (hint != null) {
            sb.append("\nhint: ").append(hint);
        }
        if (strict && mismatched.isEmpty() && (!missing.isEmpty() || !unexpected.isEmpty())) {
            sb.append("\nhint: to keep a new head (e.g. another numClasses) as initialised, drop the checkpoint's "
                    + "with without(\"fc\") and load with strict=false");
        }
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> lines) {
        sb.append("\n").append(title).append(" [").append(lines.size()).append("]:");
        Map<String, Integer> byModule = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (i < LIST_LIMIT) {
                sb.append("\n  ").append(lines.get(i));
            } else {
                String key = lines.get(i).split(" ", 2)[0].replaceAll(":$", "");
                int dot = key.indexOf('.');
                byModule.merge(dot < 0 ? key : key.substring(0, dot), 1, Integer::sum);
            }
        }
        if (!byModule.isEmpty()) {
            sb.append("\n  … and ").append(lines.size() - LIST_LIMIT).append(" more under ");
            List<String> parts = new ArrayList<>();
            byModule.forEach((k, n) -> parts.add(k + " (" + n + ")"));
            sb.append(String.join(", ", parts));
        }
    }

    /** When every missing key is an unexpected key with one prefix added or removed, says so. */
    private static String prefixHint(List<String> missing, List<String> unexpected) {
        if (missing.isEmpty() || unexpected.isEmpty()) {
            return null;
        }
        String u = unexpected.get(0);
        String m = missing.get(0);
        if (u.endsWith(m) && u.length() > m.length()) {
            String prefix = u.substring(0, u.length() - m.length());
            if (missing.stream().allMatch(k -> unexpected.contains(prefix + k))) {
                return "the checkpoint's keys carry the prefix '" + prefix + "': use stripPrefix(\"" + prefix + "\")";
            }
        }
        return null;
    }

    private static String shape(Tensor t) {
        Shape s = t.shape();
        return java.util.Arrays.toString(s.toArray());
    }
}
