package dev.ember.autograd;

import dev.ember.tensor.Tensor;

/**
 * The record of one differentiable op in the graph: its name (as PyTorch prints it, e.g.
 * {@code MulBackward0}), its inputs, its backward rule and the tensors it saved. Saved tensors are
 * checked against their storage version when read, so an in-place write after the forward pass is
 * caught, and they are released after a backward pass unless the graph was retained.
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    /** Each input's history when this op ran: an in-place op later gives the input a new one. */
    private final Node[] inputFns;
    private final boolean[] inputNeedsGrad;
    private final Backward rule;
    private final Tensor[] saved;
    private final int[] savedVersions;
    private boolean released;

    /** Called by the Tensor façade when it records an op; {@code inputs} may hold nulls for non-differentiable ones. */
    public Node(String name, Tensor[] inputs, Backward rule, Tensor[] saved) {
        this.name = name;
        this.inputs = inputs;
        this.inputFns = new Node[inputs.length];
        this.inputNeedsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                inputFns[i] = inputs[i].gradFn();
                inputNeedsGrad[i] = inputs[i].requiresGrad();
            }
        }
        this.rule = rule;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            savedVersions[i] = saved[i].version();
        }
    }

    public String name() {
        return name;
    }

    Tensor[] inputs() {
        return inputs;
    }

    /** The node that produced input {@code i} when this op ran, or null for a leaf. */
    Node inputFn(int i) {
        return inputFns[i];
    }

    /** Whether input {@code i} required grad when this op ran; rules skip gradients nobody needs. */
    public boolean inputNeedsGrad(int i) {
        return inputNeedsGrad[i];
    }

    Backward rule() {
        return rule;
    }

    /** The i-th saved tensor, refusing one that was modified in place or already freed. */
    public Tensor saved(int i) {
        if (released) {
            throw new IllegalStateException("Trying to backward through the graph a second time (or directly access "
                    + "saved tensors after they have already been freed) in " + name
                    + ". Specify retainGraph=true on the first backward call if you need to backward twice.");
        }
        Tensor t = saved[i];
        if (t.version() != savedVersions[i]) {
            throw new IllegalStateException("one of the variables needed for gradient computation has been modified by "
                    + "an inplace operation: the tensor of shape " + t.shape() + " saved by " + name + " is at version "
                    + t.version() + "; expected version " + savedVersions[i] + " instead.");
        }
        return t;
    }

    void release() {
        released = true;
        java.util.Arrays.fill(saved, null);
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
