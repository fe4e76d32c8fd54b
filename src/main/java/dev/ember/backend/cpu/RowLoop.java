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

    private RowLoop() {
    }

    static void forEachRow(Shape shape, Row row, Layout... layouts) {
        if (shape.numel() == 0) {
            return;
        }
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
        int[] starts = new int[k];
        int[] steps = new int[k];
        for (int j = 0; j < k; j++) {
            starts[j] = layouts[j].offset();
            steps[j] = strides[j][n - 1];
        }
        int rowLen = sizes[n - 1];
        int outer = n - 1;
        int[] counter = new int[Math.max(outer, 1)];
        while (true) {
            row.run(starts, steps, rowLen);
            int d = outer - 1;
            while (d >= 0) {
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
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }
}
