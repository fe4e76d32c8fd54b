package dev.ember.backend.cpu;

import dev.ember.core.Layout;
import dev.ember.core.Shape;

/**
 * Walks a shape in row-major order over several layouts at once, handing out whole rows of the
 * innermost dimension so kernels run tight loops. Adjacent dims that are contiguous in every layout
 * are merged first, so contiguous tensors become one long row.
 */
final class RowLoop {

    /** Called once per row with the start index of each layout; {@code steps[k]} is layout k's stride along the row. */
    interface Row {
        void run(int[] starts, int[] steps, int length);
    }

    /** The merged loop: {@code sizes[d]} and, per layout, {@code strides[k][d]}; the last dim is the row. */
    private record Plan(int[] sizes, int[][] strides, int[] offsets, int[] steps) {
        int rowLength() {
            return sizes[sizes.length - 1];
        }
    }

    private RowLoop() {
    }

    static void forEachRow(Shape shape, Row row, Layout... layouts) {
        if (shape.numel() > 0) {
            Plan plan = plan(shape, layouts);
            rows(plan, 0, shape.numel() / plan.rowLength(), row);
        }
    }

    /**
     * As {@link #forEachRow}, with the rows (or the one long row) split over {@link Parallel}'s
     * threads: for kernels whose rows write disjoint outputs.
     */
    static void forEachRowParallel(Shape shape, Row row, Layout... layouts) {
        int numel = shape.numel();
        if (numel == 0) {
            return;
        }
        Plan plan = plan(shape, layouts);
        int rowLength = plan.rowLength();
        if (rowLength < numel) {
            Parallel.forRange(numel / rowLength, numel, (from, to) -> rows(plan, from, to, row));
            return;
        }
        Parallel.forRange(numel, numel, (from, to) -> {
            int[] starts = plan.offsets().clone();
            for (int j = 0; j < starts.length; j++) {
                starts[j] += from * plan.steps()[j];
            }
            row.run(starts, plan.steps(), to - from);
        });
    }

    private static Plan plan(Shape shape, Layout[] layouts) {
        int k = layouts.length;
        int rank = shape.rank();
        int[] sizes = new int[Math.max(rank, 1)];
        int[][] strides = new int[k][Math.max(rank, 1)];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            int size = shape.size(d);
            if (size == 1) {
                continue;
            }
            boolean merge = n > 0;
            for (int j = 0; j < k && merge; j++) {
                merge = strides[j][n - 1] == layouts[j].stride(d) * size;
            }
            if (merge) {
                sizes[n - 1] *= size;
                for (int j = 0; j < k; j++) {
                    strides[j][n - 1] = layouts[j].stride(d);
                }
            } else {
                sizes[n] = size;
                for (int j = 0; j < k; j++) {
                    strides[j][n] = layouts[j].stride(d);
                }
                n++;
            }
        }
        if (n == 0) {
            sizes[0] = 1;
            n = 1;
        }
        int[] offsets = new int[k];
        int[] steps = new int[k];
        int[][] used = new int[k][];
        for (int j = 0; j < k; j++) {
            offsets[j] = layouts[j].offset();
            steps[j] = strides[j][n - 1];
            used[j] = java.util.Arrays.copyOf(strides[j], n);
        }
        return new Plan(java.util.Arrays.copyOf(sizes, n), used, offsets, steps);
    }

    /** Runs rows {@code [from, to)} of the plan, in row-major order. */
    private static void rows(Plan plan, int from, int to, Row row) {
        int[] sizes = plan.sizes();
        int[][] strides = plan.strides();
        int k = strides.length;
        int outer = sizes.length - 1;
        int[] counter = new int[Math.max(outer, 1)];
        int[] starts = plan.offsets().clone();
        for (int d = outer - 1, rest = from; d >= 0; d--) {
            counter[d] = rest % sizes[d];
            rest /= sizes[d];
            for (int j = 0; j < k; j++) {
                starts[j] += counter[d] * strides[j][d];
            }
        }
        for (int r = from; r < to; r++) {
            row.run(starts, plan.steps(), sizes[outer]);
            for (int d = outer - 1; d >= 0; d--) {
                counter[d]++;
                for (int j = 0; j < k; j++) {
                    starts[j] += strides[j][d];
                }
                if (counter[d] < sizes[d]) {
                    break;
                }
                for (int j = 0; j < k; j++) {
                    starts[j] -= strides[j][d] * sizes[d];
                }
                counter[d] = 0;
            }
        }
    }
}
