package dev.ember.optim;

import dev.ember.autograd.GradMode;
import dev.ember.tensor.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. Per-parameter state (momentum buffers, Adam moments) is
 * kept by parameter index under PyTorch's names ({@code exp_avg}, {@code momentum_buffer}, …), so
 * {@link #stateDict()} can be checkpointed next to the model and restored with {@link #loadStateDict}.
 */
public abstract class Optimizer {
    private final List<Tensor> params;
    private final Map<Integer, Map<String, Tensor>> state = new HashMap<>();
    private double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("Invalid learning rate: " + lr);
        }
        for (Tensor p : params) {
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("can't optimize a non-leaf Tensor");
            }
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    public final List<Tensor> params() {
        return params;
    }

    public final double lr() {
        return lr;
    }

    /** Sets the learning rate (schedulers call this). */
    public final void setLr(double lr) {
        this.lr = lr;
    }

    /** Clears every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (var off = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                if (p.grad() != null) {
                    update(p, p.grad(), state.computeIfAbsent(i, k -> new LinkedHashMap<>()));
                }
            }
        }
    }

    /** One parameter's update, in place, under no-grad; {@code s} is that parameter's state. */
    protected abstract void update(Tensor param, Tensor grad, Map<String, Tensor> s);

    /** Hyperparameters, for checkpoint metadata and printing. */
    public abstract Map<String, Object> hyperparameters();

    /** State tensors keyed {@code state.<param index>.<name>}. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.keySet().stream().sorted().forEach(i ->
                state.get(i).forEach((name, t) -> out.put("state." + i + "." + name, t)));
        return out;
    }

    /** Restores state written by {@link #stateDict()} (copies, so the source may be discarded). */
    public final void loadStateDict(Map<String, Tensor> saved) {
        state.clear();
        for (var e : saved.entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            if (parts.length != 3 || !parts[0].equals("state")) {
                throw new IllegalArgumentException("unexpected optimizer state key '" + e.getKey()
                        + "': expected state.<index>.<name>");
            }
            int i = Integer.parseInt(parts[1]);
            if (i < 0 || i >= params.size()) {
                throw new IllegalArgumentException("optimizer state for parameter " + i + " but the optimizer has "
                        + params.size() + " parameters");
            }
            // step counters stay on the host: the update reads them every step
            Tensor value = parts[2].equals("step") ? e.getValue().cpu().clone()
                    : e.getValue().to(params.get(i).device()).clone();
            state.computeIfAbsent(i, k -> new LinkedHashMap<>()).put(parts[2], value);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + hyperparameters();
    }
}
