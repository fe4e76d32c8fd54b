package dev.ember.autograd;

import dev.ember.core.Shape;
import dev.ember.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation: a topological order of the graph behind the root (found
 * iteratively, since Java stacks are shallow), then one reverse walk that calls each node's rule
 * and accumulates into leaves' {@code .grad}. Broadcast gradients are reduced to their input's shape
 * here and nowhere else.
 */
public final class Engine {
    private Engine() {
    }

    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn");
        }
        if (!gradient.shape().equals(root.shape())) {
            throw new IllegalArgumentException("backward: gradient of shape " + gradient.shape()
                    + " does not match the output's shape " + root.shape());
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, gradient);
        try (var off = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = pending.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null || t.retainsGrad()) {
                    t.accumulateGrad(g);
                }
                if (node == null) {
                    continue;
                }
                Tensor[] inputGrads = node.rule().apply(g, node);
                Tensor[] inputs = node.inputs();
                for (int j = 0; j < inputs.length; j++) {
                    Tensor input = inputs[j];
                    if (input == null || !input.requiresGrad() || inputGrads[j] == null) {
                        continue;
                    }
                    Tensor gj = sumToShape(inputGrads[j], input.shape());
                    pending.merge(input, gj, Tensor::add);
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        }
    }

    /** Sums a broadcast gradient back to {@code shape}: over added leading dims and over dims that were 1. */
    public static Tensor sumToShape(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int lead = g.dim() - shape.rank();
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < g.dim(); d++) {
            if (d < lead || (shape.size(d - lead) == 1 && g.size(d) != 1)) {
                dims.add(d);
            }
        }
        Tensor summed = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return summed.reshape(shape.toArray());
    }

    /** Tensors reachable from root, each after all of its inputs (iterative post-order DFS). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            while (next < inputs.length && (inputs[next] == null || !inputs[next].requiresGrad()
                    || seen.containsKey(inputs[next]))) {
                next++;
            }
            if (next < inputs.length) {
                frame[1] = next + 1;
                seen.put(inputs[next], Boolean.TRUE);
                stack.push(new Object[] {inputs[next], 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
