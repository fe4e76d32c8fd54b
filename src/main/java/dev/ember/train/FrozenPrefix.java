package dev.ember.train;

import dev.ember.nn.Module;
import dev.ember.nn.Sequential;
import dev.ember.nn.Staged;
import dev.ember.nn.Staged.Stage;
import dev.ember.tensor.Tensor;

import java.util.List;

/**
 * A model cut in two: the backbone, the longest run of leading stages ({@link Staged#expand}) that are
 * frozen (no parameter requires grad) and deterministic per sample in training mode
 * ({@link Module#isDeterministicPerSample} for every module in them), and the head, the rest. The
 * backbone then gives a sample the same output in every epoch, so its output can be computed once
 * ({@link FeatureCache}) and only the head run each step.
 */
public record FrozenPrefix(List<Stage> backbone, List<Stage> head) {
    public FrozenPrefix {
        backbone = List.copyOf(backbone);
        head = List.copyOf(head);
    }

    public static FrozenPrefix of(Module model) {
        List<Stage> stages = Staged.expand(model);
        int n = 0;
        while (n < stages.size() && fixed(stages.get(n).module())) {
            n++;
        }
        return new FrozenPrefix(stages.subList(0, n), stages.subList(n, stages.size()));
    }

    private static boolean fixed(Module m) {
        return !trains(m) && m.namedModules().values().stream().allMatch(Module::isDeterministicPerSample);
    }

    private static boolean trains(Module m) {
        return m.parameters().stream().anyMatch(Tensor::requiresGrad);
    }

    /** Whether there is a backbone to compute once and, after it, something to train. */
    public boolean isUseful() {
        return whyNot() == null;
    }

    /** Why the prefix is not {@linkplain #isUseful useful}, for the console; null when it is. */
    public String whyNot() {
        if (head.stream().noneMatch(s -> trains(s.module()))) {
            return "nothing after the frozen stages trains";
        }
        if (!backbone.isEmpty()) {
            return null;
        }
        Stage first = head.get(0);
        if (first.path().isEmpty()) {
            return first.module().getClass().getSimpleName() + " does not list its stages (nn.Staged)";
        }
        return "its first stage " + first.path() + (trains(first.module()) ? " trains"
                : " is random or uses batch statistics in training (dropout, BatchNorm that is not frozen)");
    }

    /** The backbone's stages as one module (the model's own layers, not copies). */
    public Module backboneModule() {
        return new Sequential(backbone.stream().map(Stage::module).toArray(Module[]::new));
    }

    /** The head's stages as one module (the model's own layers: training it trains the model). */
    public Module headModule() {
        return new Sequential(head.stream().map(Stage::module).toArray(Module[]::new));
    }

    /** The stages' paths as a range, e.g. {@code features.0..classifier.3}, or one path. */
    public static String span(List<Stage> stages) {
        String first = stages.get(0).path();
        String last = stages.get(stages.size() - 1).path();
        return stages.size() == 1 ? first : first + ".." + last;
    }
}
