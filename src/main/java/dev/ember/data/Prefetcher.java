package dev.ember.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs an iterator on a background daemon thread, keeping up to {@code depth} items ready, so the
 * next minibatch is decoded and transformed while the current one trains. Errors in the producer are
 * rethrown to the consumer at the item where they happened. Close it to stop early.
 */
public final class Prefetcher<T> implements Iterator<T>, AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private Object next;

    public Prefetcher(Iterator<T> source, int depth) {
        this.queue = new ArrayBlockingQueue<>(depth);
        this.thread = new Thread(() -> produce(source), "ember-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    private void produce(Iterator<T> source) {
        try {
            while (source.hasNext()) {
                queue.put(source.next());
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            try {
                queue.put(new Failure(e));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Failure(Throwable error) {
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }
        if (next instanceof Failure f) {
            if (f.error instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) f.error;
        }
        return next != END;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T item = (T) next;
        next = null;
        return item;
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
