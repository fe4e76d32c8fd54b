package dev.ember.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The driver's side of synchronous data-parallel SGD: a small TCP server to which the P tasks of a
 * training stage connect. Each step it collects one {@code (sum-gradient, count, lossSum)} per
 * partition, hands the total to the driver's optimizer ({@link Stepper}) and sends the new flat
 * weights back to every task.
 *
 * <p>The driver is authoritative: a task that (re)connects is told the current step and weights.
 * When Spark retries a failed barrier stage (a new stage attempt), every connection of the older
 * attempt is closed and partial gradients of the current step are dropped, so the retried tasks
 * resume from the driver's current step and the result is as if nothing had failed.
 */
final class GradientServer implements AutoCloseable {
    /** Applies one global step: {@code sumGradient / count} is the gradient of the mean loss over the global batch. */
    interface Stepper {
        float[] step(int step, float[] sumGradient, long count, double lossSum);
    }

    private final ServerSocket server;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private sealed interface Event permits Hello, Grad, Closed {
    }

    private record Hello(Conn conn, String runId, int epoch, int partition, int attempt) implements Event {
    }

    private record Grad(Conn conn, int step, int count, double lossSum, float[] gradient) implements Event {
    }

    private record Closed(Conn conn) implements Event {
    }

    /** The driver's end of one task's link. */
    private abstract static class Conn {
        volatile int partition = -1;

        abstract void send(int step, Outgoing weights) throws IOException;

        abstract void close();
    }

    /** One step's weights, encoded for the wire at most once however many tasks read them. */
    private static final class Outgoing {
        final float[] weights;
        private byte[] encoded;

        Outgoing(float[] weights) {
            this.weights = weights;
        }

        synchronized byte[] encoded() {
            if (encoded == null) {
                encoded = Wire.encode(weights);
            }
            return encoded;
        }
    }

    /** A task in another JVM, speaking {@link Wire} over TCP. */
    private final class SocketConn extends Conn {
        final Socket socket;
        final DataOutputStream out;

        SocketConn(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        }

        void read() {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16))) {
                if (in.readInt() != Wire.MAGIC) {
                    throw new IOException("not an Ember training task");
                }
                String runId = in.readUTF();
                int epoch = in.readInt();
                partition = in.readInt();
                int attempt = in.readInt();
                events.add(new Hello(this, runId, epoch, partition, attempt));
                while (true) {
                    int step = in.readInt();
                    int count = in.readInt();
                    double lossSum = in.readDouble();
                    float[] g = Wire.readFloats(in);
                    events.add(new Grad(this, step, count, lossSum, g));
                }
            } catch (IOException e) {
                events.add(new Closed(this));
            }
        }

        @Override
        void send(int step, Outgoing weights) throws IOException {
            out.writeInt(step);
            Wire.writeEncoded(out, weights.encoded());
            out.flush();
        }

        @Override
        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * A task in this JVM (a local master's executor): arrays change hands without copies. Neither side
     * writes an array after handing it over: the driver's weights are new every step, and so are a
     * task's gradients.
     */
    private final class InMemory extends Conn {
        private static final TaskLink.State CLOSED = new TaskLink.State(-1, null);
        private final BlockingQueue<TaskLink.State> inbox = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        InMemory(int partition) {
            this.partition = partition;
        }

        @Override
        void send(int step, Outgoing weights) throws IOException {
            if (closed) {
                throw new IOException("the task's link is closed");
            }
            inbox.add(new TaskLink.State(step, weights.weights));
        }

        @Override
        synchronized void close() {
            if (!closed) {
                closed = true;
                inbox.add(CLOSED);
                events.add(new Closed(this));
            }
        }

        final TaskLink link = new TaskLink() {
            @Override
            State receive() throws IOException {
                State s;
                try {
                    s = inbox.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for the driver");
                }
                if (s == CLOSED) {
                    inbox.add(CLOSED);
                    throw new IOException("the driver closed this task's link");
                }
                return s;
            }

            @Override
            void send(int step, int count, double lossSum, float[] gradient) throws IOException {
                if (closed) {
                    throw new IOException("the task's link is closed");
                }
                events.add(new Grad(InMemory.this, step, count, lossSum, gradient));
            }

            @Override
            boolean isClosed() {
                return closed;
            }

            @Override
            public void close() {
                InMemory.this.close();
            }
        };
    }

    /** Servers of the runs this JVM drives, for tasks that run in it too ({@link #inThisJvm}). */
    private static final Map<String, GradientServer> RUNS = new java.util.concurrent.ConcurrentHashMap<>();

    private final String runId;

    /** Listens on an ephemeral port of {@code bindHost} for run {@code runId}'s tasks. */
    GradientServer(String bindHost, String runId) throws IOException {
        this.runId = runId;
        server = new ServerSocket(0, 128, InetAddress.getByName(bindHost));
        RUNS.put(runId, this);
        acceptor = new Thread(this::acceptLoop, "ember-gradient-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Run {@code runId}'s server when this JVM drives it (a local master), else null. */
    static GradientServer inThisJvm(String runId) {
        return RUNS.get(runId);
    }

    /** Connects a task of this JVM: as a TCP task's hello would, without the socket. */
    TaskLink attach(int epoch, int partition, int attempt) {
        InMemory conn = new InMemory(partition);
        events.add(new Hello(conn, runId, epoch, partition, attempt));
        return conn.link;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                SocketConn c = new SocketConn(s);
                Thread t = new Thread(c::read, "ember-gradient-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    events.add(new Closed(null));
                }
            }
        }
    }

    /** What an epoch's steps added up to. */
    record EpochResult(double lossSum, long images, int steps, int reconnects, double stepSeconds,
                       double driverSeconds) {
    }

    /** Called after each applied step (progress printing). */
    interface Progress {
        void after(int step, double meanLoss, long images);
    }

    /**
     * Drives steps {@code 0 .. steps-1} of one epoch with {@code partitions} tasks. Returns when the
     * last step is applied (tasks are then told to finish); throws if {@code failed} reports that
     * the Spark job ended before that.
     */
    EpochResult runEpoch(String runId, int epoch, int partitions, int steps, float[] weights, Stepper stepper,
                         BooleanSupplier jobEnded, Progress progress) throws InterruptedException {
        Map<Integer, Conn> conns = new HashMap<>();
        Grad[] pending = new Grad[partitions];
        int attempt = -1;
        int step = 0;
        int reconnects = 0;
        double lossSum = 0;
        long images = 0;
        float[] current = weights;
        long firstSend = 0;
        long driverNanos = 0;
        while (step < steps) {
            Event e = events.poll(200, TimeUnit.MILLISECONDS);
            if (e == null) {
                if (jobEnded.getAsBoolean()) {
                    throw new IllegalStateException("the training stage of epoch " + (epoch + 1) + " ended at step "
                            + step + " of " + steps);
                }
                continue;
            }
            if (e instanceof Hello h) {
                if (!h.runId().equals(runId) || h.epoch() != epoch || h.partition() < 0 || h.partition() >= partitions
                        || h.attempt() < attempt) {
                    h.conn().close();
                    continue;
                }
                if (h.attempt() > attempt) {
                    if (attempt >= 0) {
                        reconnects++;
                    }
                    conns.values().forEach(Conn::close);
                    conns.clear();
                    java.util.Arrays.fill(pending, null);
                    attempt = h.attempt();
                }
                Conn old = conns.put(h.partition(), h.conn());
                if (old != null) {
                    old.close();
                }
                pending[h.partition()] = null;
                if (firstSend == 0 && conns.size() == partitions) {
                    firstSend = System.nanoTime();
                }
                sendOrDrop(conns, h.conn(), step, new Outgoing(current), pending);
            } else if (e instanceof Grad g) {
                int p = g.conn().partition;
                if (p < 0 || conns.get(p) != g.conn() || g.step() != step) {
                    continue; // stale: an older connection or attempt
                }
                pending[p] = g;
                boolean all = true;
                for (Grad x : pending) {
                    all &= x != null;
                }
                if (!all) {
                    continue;
                }
                long d0 = System.nanoTime();
                float[] sum = sum(pending, current.length);
                long count = 0;
                double loss = 0;
                for (Grad x : pending) {
                    count += x.count();
                    loss += x.lossSum();
                }
                java.util.Arrays.fill(pending, null);
                current = stepper.step(step, sum, count, loss);
                step++;
                lossSum += loss / count;
                images += count;
                progress.after(step, loss / count, images);
                Outgoing send = new Outgoing(step == steps ? new float[0] : current);
                for (Conn c : java.util.List.copyOf(conns.values())) {
                    sendOrDrop(conns, c, step, send, pending);
                }
                driverNanos += System.nanoTime() - d0;
            } else if (e instanceof Closed c) {
                if (c.conn() == null) {
                    continue;
                }
                int p = c.conn().partition;
                if (p >= 0 && conns.get(p) == c.conn()) {
                    // A task of the current attempt died, so the barrier stage has failed: close the other tasks'
                    // connections too, or they would wait forever for a step that cannot complete, holding the
                    // slots Spark needs to retry the stage. The retried tasks reconnect and resume from `step`.
                    conns.values().forEach(Conn::close);
                    conns.clear();
                    java.util.Arrays.fill(pending, null);
                }
            }
        }
        return new EpochResult(lossSum, images, steps, reconnects, (System.nanoTime() - firstSend) / 1e9,
                driverNanos / 1e9);
    }

    /** The sum of the tasks' gradients, into the first non-empty one (tasks without rows send none). */
    private static float[] sum(Grad[] pending, int n) {
        float[] sum = null;
        for (Grad x : pending) {
            if (x.count() == 0) {
                continue;
            }
            if (sum == null) {
                sum = x.gradient();
                continue;
            }
            float[] v = x.gradient();
            for (int i = 0; i < n; i++) {
                sum[i] += v[i];
            }
        }
        return sum != null ? sum : new float[n];
    }

    private static void sendOrDrop(Map<Integer, Conn> conns, Conn c, int step, Outgoing weights, Object[] pending) {
        try {
            c.send(step, weights);
        } catch (IOException ex) {
            c.close();
            conns.values().remove(c);
            if (c.partition >= 0) {
                pending[c.partition] = null;
            }
        }
    }

    /** Forgets events of finished epochs (late closes), so the next epoch starts clean. */
    void drain() {
        events.clear();
    }

    @Override
    public void close() {
        closed = true;
        RUNS.remove(runId, this);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
