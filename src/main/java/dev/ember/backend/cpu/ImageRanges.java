package dev.ember.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a batch into contiguous ranges of images that run side by side: the caller takes the first,
 * daemon threads of a small shared pool the others. Parts are fixed by the batch size and the part
 * count, never by timing, so results are deterministic.
 */
final class ImageRanges {
    /** Part {@code part}: images [from, to). */
    interface Body {
        void run(int part, int from, int to);
    }

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ember-cpu-worker");
        t.setDaemon(true);
        return t;
    });

    private ImageRanges() {
    }

    /** Part p covers images [start(p), start(p + 1)). */
    private static int start(int batch, int parts, int p) {
        return (int) ((long) batch * p / parts);
    }

    static void run(int batch, int parts, Body body) {
        if (parts <= 1) {
            body.run(0, 0, batch);
            return;
        }
        List<Future<?>> others = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int part = p;
            others.add(POOL.submit(() -> body.run(part, start(batch, parts, part), start(batch, parts, part + 1))));
        }
        body.run(0, 0, start(batch, parts, 1));
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a convolution ran", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }
}
