package dev.ember.nn;

import dev.ember.tensor.Tensor;

import java.util.List;

/** Runs its children in order; children are named 0, 1, 2, … as in PyTorch (so state keys read {@code 0.weight}). */
public final class Sequential extends Module implements Staged {
    private int size;

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module under the next index; returns this. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(size++), m);
        return this;
    }

    /** The i-th module. */
    public Module get(int i) {
        return child(Integer.toString(i));
    }

    public int size() {
        return size;
    }

    public List<Module> modules() {
        return List.copyOf(namedChildren().values());
    }

    @Override
    public List<Stage> stages() {
        return Staged.children(this);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : namedChildren().values()) {
            y = m.forward(y);
        }
        return y;
    }
}
