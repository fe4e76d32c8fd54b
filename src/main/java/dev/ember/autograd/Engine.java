package dev.ember.autograd;

import dev.ember.core.Shape;
import dev.ember.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation: a topological order of the graph behind the root (found
 * iteratively, since Java stacks are shallow), then one reverse walk that calls each node's rule
 * and accumulates into leaves' {@code .grad}. Broadcast gradients are reduced to their input's shape
 * here and nowhere else.
 *
 * <p>The graph's vertices are nodes and leaf tensors. An edge leads to the node an input had when
 * the op ran, not to the input's current one: an in-place op gives a tensor a new history, and
 * consumers recorded before it must still reach the old one, as in PyTorch.
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
        Object start = root.gradFn() != null ? root.gradFn() : root;
        Map<Node, Tensor> retained = new IdentityHashMap<>();
        if (root.gradFn() != null && root.retainsGrad()) {
            retained.put(root.gradFn(), root);
        }
        List<Object> order = topologicalOrder(start, retained);
        Map<Object, Tensor> pending = new IdentityHashMap<>();
        // gradients whose storage nothing else references: a leaf may take them as its .grad without a copy
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.put(start, gradient);
        try (var off = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Object vertex = order.get(i);
                Tensor g = pending.remove(vertex);
                if (g == null) {
                    continue;
                }
                if (vertex instanceof Tensor leaf) {
                    leaf.accumulateGrad(g, owned.remove(g));
                    continue;
                }
                owned.remove(g);
                Node node = (Node) vertex;
                Tensor keeper = retained.get(node);
                if (keeper != null) {
                    keeper.accumulateGrad(g);
                }
                Tensor[] inputGrads = node.rule().apply(g, node);
                Tensor[] inputs = node.inputs();
                Tensor[] reduced = new Tensor[inputs.length];
                for (int j = 0; j < inputs.length; j++) {
                    if (node.inputNeedsGrad(j) && inputGrads[j] != null) {
                        reduced[j] = sumToShape(inputGrads[j], inputs[j].shape());
                    }
                }
                for (int j = 0; j < inputs.length; j++) {
                    Tensor gj = reduced[j];
                    if (gj == null) {
                        continue;
                    }
                    Object target = target(node, j);
                    Tensor before = pending.get(target);
                    if (before == null) {
                        pending.put(target, gj);
                        if (exclusive(gj, j, reduced, g, gradient)) {
                            owned.add(gj);
                        }
                    } else {
                        owned.remove(before);
                        Tensor sum = before.add(gj);
                        pending.put(target, sum);
                        owned.add(sum);
                    }
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        }
    }

    /** Whether gradient j's storage is its own: not the incoming or root gradient's, nor another input's. */
    private static boolean exclusive(Tensor gj, int j, Tensor[] all, Tensor incoming, Tensor root) {
        if (gj.storage() == incoming.storage() || gj.storage() == root.storage()) {
            return false;
        }
        for (int k = 0; k < all.length; k++) {
            if (k != j && all[k] != null && all[k].storage() == gj.storage()) {
                return false;
            }
        }
        return true;
    }

    /** Where input j's gradient goes: the node that produced it, or the leaf itself. */
    private static Object target(Node node, int j) {
        Node fn = node.inputFn(j);
        return fn != null ? fn : node.inputs()[j];
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

    /**
     * Vertices reachable from start, each after all of its inputs (iterative post-order DFS). Also
     * notes which tensors retain their gradient: those whose current history is the node an edge leads to.
     */
    private static List<Object> topologicalOrder(Object start, Map<Node, Tensor> retained) {
        List<Object> order = new ArrayList<>();
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, 0});
        seen.put(start, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            int next = (Integer) frame[1];
            Node node = frame[0] instanceof Node n ? n : null;
            int count = node == null ? 0 : node.inputs().length;
            Object child = null;
            for (; next < count; next++) {
                if (node.inputNeedsGrad(next)) {
                    Object c = target(node, next);
                    Tensor input = node.inputs()[next];
                    if (c instanceof Node fn && input.retainsGrad() && input.gradFn() == fn) {
                        retained.put(fn, input);
                    }
                    if (!seen.containsKey(c)) {
                        child = c;
                        break;
                    }
                }
            }
            if (child != null) {
                frame[1] = next + 1;
                seen.put(child, Boolean.TRUE);
                stack.push(new Object[] {child, 0});
            } else {
                stack.pop();
                order.add(frame[0]);
            }
        }
        return order;
    }
}
