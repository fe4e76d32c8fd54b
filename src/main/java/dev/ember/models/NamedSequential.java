package dev.ember.models;

import dev.ember.nn.Module;
import dev.ember.nn.Staged;
import dev.ember.tensor.Tensor;

import java.util.List;

/**
 * Runs its children in order, like {@link dev.ember.nn.Sequential}, but with names chosen by the
 * caller: PyTorch's {@code nn.Sequential(OrderedDict(...))} / {@code add_module(name, m)}, which
 * torchvision uses for e.g. DenseNet's {@code features.conv0}, {@code features.denseblock1}.
 */
public class NamedSequential extends Module implements Staged {

    /** Appends {@code module} under {@code name} (no dots); returns this. */
    public NamedSequential add(String name, Module module) {
        registerModule(name, module);
        return this;
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
