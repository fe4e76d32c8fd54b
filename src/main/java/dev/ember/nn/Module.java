package dev.ember.nn;

import dev.ember.autograd.GradMode;
import dev.ember.core.Device;
import dev.ember.tensor.Tensor;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base of every layer and model ({@code torch.nn.Module}): named parameters, buffers (e.g.
 * BatchNorm's running statistics) and submodules, registered in order so that {@link #stateDict()}
 * uses PyTorch's names ({@code 0.weight}, {@code fc1.bias}, {@code features.3.running_mean}).
 * Layers read their parameters by name on each call, so {@link #to(Device)} can swap them.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Runs the module on a batch. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = value.requiresGrad() ? value : value.requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** A buffer saved in the state dict but not trained (running statistics, counters). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module attribute name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists in " + getClass().getSimpleName());
        }
    }

    /** This module's own parameter (not a child's). */
    protected final Tensor parameter(String name) {
        Tensor p = parameters.get(name);
        if (p == null && !parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        }
        return p;
    }

    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Replaces a buffer's tensor (e.g. after a device move or a state update that is not in place). */
    protected final void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        buffers.put(name, value);
    }

    /** A direct child by name. */
    public final Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no submodule '" + name + "'; it has "
                    + children.keySet());
        }
        return m;
    }

    /** Direct children, in registration order. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Replaces the direct child {@code name} in place, keeping its position (so state-dict order is
     * unchanged), as PyTorch's {@code model.fc = nn.Linear(512, 10)} does for an existing attribute.
     * Returns the new module. Fails when there is no such child: a typo must not add a module that
     * forward never calls. Modules look their children up by name on each call, so the new one is used.
     */
    public final <M extends Module> M setChild(String name, M module) {
        if (module == null) {
            throw new IllegalArgumentException("setChild: module for '" + name + "' is null (use Identity to remove a layer)");
        }
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no submodule '" + name
                    + "' to replace; it has " + children.keySet());
        }
        children.put(name, module);
        return module;
    }

    /**
     * The submodule at a dotted path ({@code get_submodule}), e.g. {@code "layer4.1.conv2"}; the empty
     * path is this module.
     */
    public final Module getSubmodule(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return m;
        }
        String at = "";
        for (String part : path.split("\\.", -1)) {
            Module next = m.children.get(part);
            if (next == null) {
                throw new IllegalArgumentException((at.isEmpty() ? getClass().getSimpleName() : at + " ("
                        + m.getClass().getSimpleName() + ")") + " has no submodule '" + part + "' (looking up '"
                        + path + "'); it has " + m.children.keySet());
            }
            at = at.isEmpty() ? part : at + "." + part;
            m = next;
        }
        return m;
    }

    /** This module (name "") and every descendant by dotted path, parents before children ({@code named_modules}). */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules(this, "", out);
        return out;
    }

    private static void collectModules(Module m, String path, Map<String, Module> out) {
        out.put(path, m);
        m.children.forEach((k, c) -> collectModules(c, path.isEmpty() ? k : path + "." + k, out));
    }

    // ---------------------------------------------------------------- traversal

    /**
     * Every parameter of the subtree by dotted name, in PyTorch's order; a tensor reachable under
     * several names (a shared module) is listed once, under its first name, as in PyTorch.
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(this, "", out, true, false);
        return withoutRepeats(out);
    }

    private static Map<String, Tensor> withoutRepeats(Map<String, Tensor> named) {
        Set<Tensor> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Map<String, Tensor> out = new LinkedHashMap<>();
        named.forEach((k, v) -> {
            if (seen.add(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Parameters of the subtree, each once (shared parameters are not repeated). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters that currently require grad: what an optimizer should update. */
    public final List<Tensor> trainableParameters() {
        return parameters().stream().filter(Tensor::requiresGrad).toList();
    }

    /** Every buffer of the subtree by dotted name, each tensor once (as {@link #namedParameters()}). */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(this, "", out, false, true);
        return withoutRepeats(out);
    }

    /** Parameters and buffers by PyTorch's names, detached. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState(this, "", out);
        return out;
    }

    private static void collect(Module m, String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) {
            m.parameters.forEach((k, v) -> {
                if (v != null) {
                    out.put(prefix + k, v);
                }
            });
        }
        if (bufs) {
            m.buffers.forEach((k, v) -> {
                if (v != null) {
                    out.put(prefix + k, v);
                }
            });
        }
        m.children.forEach((k, c) -> collect(c, prefix + k + ".", out, params, bufs));
    }

    private static void collectState(Module m, String prefix, Map<String, Tensor> out) {
        m.parameters.forEach((k, v) -> {
            if (v != null) {
                out.put(prefix + k, v.detach());
            }
        });
        m.buffers.forEach((k, v) -> {
            if (v != null) {
                out.put(prefix + k, v.detach());
            }
        });
        m.children.forEach((k, c) -> collectState(c, prefix + k + ".", out));
    }

    /** What {@link #loadStateDict} found: keys the model has but the dict lacks, and keys the dict has but the model lacks. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /**
     * Copies values into this module's parameters and buffers in place (so optimizers keep their
     * references). With {@code strict}, any missing, unexpected or mis-shaped key is an error listing
     * all of them; without it, shape mismatches still fail and the rest is reported.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        collect(this, "", own, true, true);
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.shape().equals(e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + src.shape() + " vs model " + e.getValue().shape());
            }
        }
        Set<String> unexpectedSet = new LinkedHashSet<>(state.keySet());
        unexpectedSet.removeAll(own.keySet());
        List<String> unexpected = new ArrayList<>(unexpectedSet);
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state_dict for " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) {
                sb.append("\n  missing keys: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                sb.append("\n  unexpected keys: ").append(unexpected);
            }
            if (!mismatched.isEmpty()) {
                sb.append("\n  size mismatch: ").append(mismatched);
            }
            throw new IllegalArgumentException(sb.toString());
        }
        try (var off = GradMode.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    e.getValue().copyInPlace(src.to(e.getValue().dtype()));
                }
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- modes and moves

    /** Training mode (dropout active, batch statistics) for the subtree; returns this. */
    public Module train() {
        return train(true);
    }

    /**
     * Sets the mode of this module and, through their own {@code train(mode)}, of its children, as
     * PyTorch does; so a subclass may override it (a frozen {@link BatchNorm} stays in eval mode).
     */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) {
            c.train(mode);
        }
        return this;
    }

    /** Evaluation mode for the subtree; returns this. */
    public Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /**
     * Whether this module's own computation (not its children's), in training mode, gives each sample
     * the same output every time, from that sample alone: true unless it draws random numbers
     * (dropout) or normalises with batch statistics (a BatchNorm that is not frozen). A trainer relies
     * on it to compute a frozen part of a model once per sample; override it in a module that does either.
     */
    public boolean isDeterministicPerSample() {
        return true;
    }

    /** Sets requires_grad on every parameter of the subtree (freezing with false); returns this. */
    public Module requiresGrad(boolean value) {
        for (Tensor p : parameters()) {
            p.requiresGrad(value);
        }
        return this;
    }

    /**
     * Freezes the submodules or parameters at the given dotted paths, e.g. {@code freeze("conv1", "bn1",
     * "layer1")}, or the whole module when none are given: their parameters stop requiring grad, and
     * every {@link BatchNorm} under them is {@linkplain BatchNorm#setFrozen frozen}, i.e. stays in eval
     * mode (running statistics fixed) even after {@link #train()}. A path names a submodule
     * ({@code layer1} covers {@code layer1.0.conv1.weight} but not {@code layer10...}) or a single
     * parameter ({@code fc.bias}); a path that names neither is an error. Returns this.
     */
    public Module freeze(String... paths) {
        setFrozen(true, paths);
        return this;
    }

    /** Undoes {@link #freeze}: parameters under the paths (all when none) require grad again, BatchNorms follow the mode again. */
    public Module unfreeze(String... paths) {
        setFrozen(false, paths);
        return this;
    }

    private void setFrozen(boolean frozen, String[] paths) {
        Map<String, Tensor> params = namedParameters();
        Map<String, Module> modules = namedModules();
        List<String> targets = paths.length == 0 ? List.of("") : List.of(paths);
        for (String path : targets) {
            if (!path.isEmpty() && !modules.containsKey(path) && !params.containsKey(path)) {
                throw new IllegalArgumentException((frozen ? "freeze" : "unfreeze") + ": '" + path
                        + "' is neither a submodule nor a parameter of " + getClass().getSimpleName()
                        + "; top-level submodules: " + children.keySet());
            }
        }
        for (String path : targets) {
            params.forEach((name, p) -> {
                if (under(name, path)) {
                    p.requiresGrad(!frozen);
                }
            });
            modules.forEach((name, m) -> {
                if (m instanceof BatchNorm bn && under(name, path)) {
                    bn.setFrozen(frozen);
                }
            });
        }
    }

    private static boolean under(String name, String path) {
        return path.isEmpty() || name.equals(path) || name.startsWith(path + ".");
    }

    /** Calls fn on every module of the subtree, children first, then this one (as PyTorch's apply). */
    public final Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) {
            c.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Moves parameters and buffers to a device (create optimizers after moving); returns this. */
    public Module to(Device device) {
        apply(m -> {
            m.parameters.replaceAll((k, v) -> v == null || v.device().equals(device) ? v
                    : v.detach().to(device).requiresGrad(v.requiresGrad()));
            m.buffers.replaceAll((k, v) -> v == null ? null : v.to(device));
        });
        return this;
    }

    // ---------------------------------------------------------------- printing

    /** One line describing this module's settings, as in PyTorch's {@code extra_repr}. */
    protected String extraRepr() {
        return "";
    }

    /**
     * A double as Python's {@code repr(float)} writes it ({@code 1e-05}, {@code 0.1}, {@code 100.0}),
     * so that {@link #extraRepr()} prints hyperparameters as PyTorch does.
     */
    protected static String pyFloat(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        String sign = v < 0 ? "-" : "";
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exponent = digits.length() - 1 - d.scale();
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) {
            return name + "(" + extraRepr() + ")";
        }
        StringBuilder sb = new StringBuilder(name).append("(\n");
        if (!extraRepr().isEmpty()) {
            sb.append("  ").append(extraRepr()).append('\n');
        }
        children.forEach((k, c) -> sb.append("  (").append(k).append("): ")
                .append(c.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }
}
