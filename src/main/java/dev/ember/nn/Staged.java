package dev.ember.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A module whose forward pass is a fixed list of stages, each run on the previous one's output
 * ({@link Sequential}; models such as LeNet5 and ResNet declare theirs). It lets a trainer cut any
 * such model into a frozen backbone and a trained head without knowing the model.
 */
public interface Staged {
    /** One stage: its dotted path in the model (or a descriptive name for an unregistered step such as flatten). */
    record Stage(String path, Module module) {
    }

    /** The stages in forward order; running them one after another must be this module's forward. */
    List<Stage> stages();

    /**
     * The stages of {@code module} with every stage that is itself {@link Staged} replaced by its own
     * stages, recursively, so paths are as deep as the structure allows; a module that is not
     * {@code Staged} is one stage with the empty path.
     */
    static List<Stage> expand(Module module) {
        List<Stage> out = new ArrayList<>();
        expand(new Stage("", module), out);
        return out;
    }

    private static void expand(Stage stage, List<Stage> out) {
        if (!(stage.module() instanceof Staged staged)) {
            out.add(stage);
            return;
        }
        for (Stage s : staged.stages()) {
            expand(new Stage(stage.path().isEmpty() ? s.path() : stage.path() + "." + s.path(), s.module()), out);
        }
    }

    /** A module's children as stages, for modules whose forward runs them in registration order. */
    static List<Stage> children(Module module) {
        return module.namedChildren().entrySet().stream().map(e -> new Stage(e.getKey(), e.getValue())).toList();
    }
}
