package dev.ember.spark;

import dev.ember.train.Evaluation;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * A training task's end of the exchange with the driver's {@link GradientServer}: say hello, then
 * alternately receive the step's weights and send the step's gradient. Tasks in the driver's JVM
 * (local masters) hand arrays to the server directly; tasks elsewhere speak {@link Wire} over TCP.
 */
abstract class TaskLink implements AutoCloseable {
    /** {@link State#step} of a request to score the validation shard with the state's weights. */
    static final int EVALUATE = -1;
    /** {@link State#step} that ends the run's training stage. */
    static final int FINISH = -2;

    /**
     * What the driver asks: a training step of an epoch, {@link #EVALUATE} or {@link #FINISH}; with the
     * weights, which the task sets before it answers (in memory they are the driver's own tensors; a
     * TCP link reuses its array).
     */
    record State(int epoch, int step, Flat.Segments weights) {
    }

    /**
     * Connects partition {@code partition} (stage attempt {@code attempt}) of run {@code runId}. In
     * memory when {@code inMemory} and run {@code runId}'s server lives in this JVM, else over TCP. A
     * watchdog closes the link once {@code killed} says so: a task blocked waiting for the driver does
     * not see Spark's kill otherwise.
     */
    static TaskLink open(String host, int port, String runId, int partition, int attempt, boolean inMemory,
                         BooleanSupplier killed) throws IOException {
        GradientServer local = inMemory ? GradientServer.inThisJvm(runId) : null;
        TaskLink link = local != null ? local.attach(partition, attempt) : new Tcp(host, port, runId, partition, attempt);
        Thread watchdog = new Thread(() -> {
            while (!link.isClosed()) {
                if (killed.getAsBoolean()) {
                    link.close();
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ember-task-watchdog-" + partition);
        watchdog.setDaemon(true);
        watchdog.start();
        return link;
    }

    /** Blocks for the driver's next state; throws once the link is closed. */
    abstract State receive() throws IOException;

    /** This task's {@code (mean-loss gradient and buffers, count, lossSum)} for a step; the server owns {@code gradient} after. */
    abstract void send(int epoch, int step, int count, double lossSum, float[] gradient) throws IOException;

    /** This task's share of the validation after {@code epoch}. */
    abstract void sendScores(int epoch, Evaluation evaluation) throws IOException;

    abstract boolean isClosed();

    @Override
    public abstract void close();

    /**
     * The {@link Wire} protocol over a socket channel to the driver. One direct buffer serves both
     * ways (the task sends only after it has used what it received), and the weights arrive in one
     * reused array, valid until the next {@link #receive}.
     */
    private static final class Tcp extends TaskLink {
        private final SocketChannel channel = SocketChannel.open();
        private ByteBuffer buffer;
        private float[] weights = new float[0];

        Tcp(String host, int port, String runId, int partition, int attempt) throws IOException {
            Wire.configure(channel);
            channel.socket().connect(new InetSocketAddress(host, port), 30_000);
            Wire.writeFully(channel, Wire.hello(runId, partition, attempt));
        }

        @Override
        State receive() throws IOException {
            buffer = Wire.readFully(channel, buffer, Wire.STATE_HEADER);
            int epoch = buffer.getInt();
            int step = buffer.getInt();
            int n = Wire.getLength(buffer);
            buffer = Wire.readFully(channel, buffer, 4 * n);
            if (weights.length != n) {
                weights = new float[n];
            }
            Wire.getFloats(buffer, weights);
            return new State(epoch, step, Flat.Segments.of(weights));
        }

        @Override
        void send(int epoch, int step, int count, double lossSum, float[] gradient) throws IOException {
            buffer = Wire.cleared(buffer, Wire.GRAD_HEADER + 4 * gradient.length);
            buffer.put(Wire.GRAD).putInt(epoch).putInt(step).putInt(count).putDouble(lossSum);
            Wire.putFloats(buffer, Flat.Segments.of(gradient));
            Wire.writeFully(channel, buffer.flip());
        }

        @Override
        void sendScores(int epoch, Evaluation evaluation) throws IOException {
            buffer = Wire.cleared(buffer, 5 + Wire.evaluationBytes(evaluation));
            buffer.put(Wire.SCORES).putInt(epoch);
            Wire.putEvaluation(buffer, evaluation);
            Wire.writeFully(channel, buffer.flip());
        }

        @Override
        boolean isClosed() {
            return !channel.isOpen();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
