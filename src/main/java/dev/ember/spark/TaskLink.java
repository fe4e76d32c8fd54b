package dev.ember.spark;

import dev.ember.train.Evaluation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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

    /** What the driver asks: a training step of an epoch, {@link #EVALUATE} or {@link #FINISH}; with the weights. */
    record State(int epoch, int step, float[] weights) {
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

    /** The {@link Wire} protocol over a socket to the driver. */
    private static final class Tcp extends TaskLink {
        private final Socket socket = new Socket();
        private final DataOutputStream out;
        private final DataInputStream in;

        Tcp(String host, int port, String runId, int partition, int attempt) throws IOException {
            socket.setTcpNoDelay(true);
            socket.setSendBufferSize(Wire.SOCKET_BUFFER);
            socket.setReceiveBufferSize(Wire.SOCKET_BUFFER);
            socket.connect(new InetSocketAddress(host, port), 30_000);
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            out.writeInt(Wire.MAGIC);
            out.writeUTF(runId);
            out.writeInt(partition);
            out.writeInt(attempt);
            out.flush();
        }

        @Override
        State receive() throws IOException {
            int epoch = in.readInt();
            int step = in.readInt();
            return new State(epoch, step, Wire.readFloats(in));
        }

        @Override
        void send(int epoch, int step, int count, double lossSum, float[] gradient) throws IOException {
            out.writeByte(Wire.GRAD);
            out.writeInt(epoch);
            out.writeInt(step);
            out.writeInt(count);
            out.writeDouble(lossSum);
            Wire.writeFloats(out, gradient);
            out.flush();
        }

        @Override
        void sendScores(int epoch, Evaluation evaluation) throws IOException {
            out.writeByte(Wire.SCORES);
            out.writeInt(epoch);
            Wire.writeEvaluation(out, evaluation);
            out.flush();
        }

        @Override
        boolean isClosed() {
            return socket.isClosed();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
