package dev.ember.spark;

import dev.ember.train.Evaluation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The driver's side of synchronous data-parallel SGD for one run: the P tasks of the run's training
 * stage link to it (over TCP, or in memory from this JVM: {@link TaskLink}) and stay for every epoch.
 * The driver goes through phases: {@link #runEpoch} collects one {@code (gradient, count, lossSum)}
 * per partition each step, hands their count-weighted mean to the driver's optimizer ({@link Stepper}) and
 * sends the new weights to every task; {@link #evaluate} has every task score its validation shard
 * with the given weights; {@link #finish} lets the tasks end. Between phases (checkpoints) tasks wait.
 *
 * <p>The driver is authoritative: a task that (re)connects is sent the current phase's message. When
 * Spark retries the failed barrier stage (a new stage attempt), every link of the older attempt is
 * closed and partial results of the phase are dropped, so the retried tasks resume from the driver's
 * current step (or evaluation) and the result is as if nothing had failed.
 */
final class GradientServer implements AutoCloseable {
    /**
     * Applies one global step from {@code mean}, the tasks' summed vectors over {@code count}: the
     * gradient of the mean loss over the global batch, then the count-weighted mean of the buffers.
     */
    interface Stepper {
        /** Returns the new weights, as {@link Flat#current} gives them: the driver changes them only in its next step. */
        Flat.Segments step(int step, float[] mean, long count, double lossSum);
    }

    /** Called after each applied step (progress printing). */
    interface Progress {
        void after(int step, double meanLoss, long images);
    }

    /** What an epoch's steps added up to; {@code stepSeconds} runs from all tasks being linked to the last step. */
    record EpochResult(double lossSum, long images, int steps, double stepSeconds, double driverSeconds) {
    }

    /** Servers of the runs this JVM drives, for tasks that run in it too ({@link #inThisJvm}). */
    private static final Map<String, GradientServer> RUNS = new ConcurrentHashMap<>();

    private final String runId;
    private final int partitions;
    private final ServerSocketChannel server;
    private final Frames frames = new Frames();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    // driver thread only:
    private final Map<Integer, Conn> conns = new HashMap<>();
    private int attempt = -1;
    private int reconnects;
    private Message phase;  // what a (re)linked task is sent; null between phases

    private sealed interface Event permits Hello, Grad, Scores, Closed {
    }

    private record Hello(Conn conn, String runId, int partition, int attempt) implements Event {
    }

    private record Grad(Conn conn, int epoch, int step, int count, double lossSum, float[] gradient) implements Event {
    }

    private record Scores(Conn conn, int epoch, Evaluation evaluation) implements Event {
    }

    private record Closed(Conn conn) implements Event {
    }

    /** A phase's message: epoch, step (or {@link TaskLink#EVALUATE}, {@link TaskLink#FINISH}) and weights. */
    private static final class Message {
        final int epoch;
        final int step;
        final Flat.Segments weights;
        private final Frames frames;
        private ByteBuffer frame;

        Message(int epoch, int step, Flat.Segments weights, Frames frames) {
            this.epoch = epoch;
            this.step = step;
            this.weights = weights;
            this.frames = frames;
        }

        /** The message's {@link Wire} bytes, encoded at most once, as a view of its own for one task's writer. */
        synchronized ByteBuffer frame() {
            if (frame == null) {
                frame = frames.next(Wire.STATE_HEADER + 4 * weights.size());
                frame.putInt(epoch).putInt(step);
                Wire.putFloats(frame, weights);
                frame.flip();
            }
            return frame.duplicate();
        }
    }

    /**
     * Two direct buffers that messages for TCP tasks take turns to encode into. Reusing one two
     * messages later is safe: the driver makes a message only once every current task has answered the
     * one before, so the tasks have read the one before that to its end (links of older attempts,
     * which may still be writing it, are closed and their tasks gone).
     */
    private static final class Frames {
        private final ByteBuffer[] buffers = new ByteBuffer[2];
        private int turn;

        synchronized ByteBuffer next(int bytes) {
            int i = turn++ & 1;
            buffers[i] = Wire.cleared(buffers[i], bytes);
            return buffers[i];
        }
    }

    /** The driver's end of one task's link. */
    private abstract static class Conn {
        volatile int partition = -1;

        abstract void send(Message m) throws IOException;

        abstract void close();
    }

    /**
     * A task in another JVM, speaking {@link Wire} over TCP. Each link writes from its own thread, so
     * the tasks receive a step's weights side by side rather than one after the other.
     */
    private final class SocketConn extends Conn {
        final SocketChannel channel;
        private final BlockingQueue<Message> outbox = new LinkedBlockingQueue<>();
        private final Thread writer;

        SocketConn(SocketChannel channel) {
            this.channel = channel;
            writer = new Thread(this::write, "ember-gradient-send");
            writer.setDaemon(true);
            writer.start();
        }

        private void write() {
            try {
                while (channel.isOpen()) {
                    Wire.writeFully(channel, outbox.take().frame());
                }
            } catch (IOException | InterruptedException e) {
                close();  // the reader sees it and reports the link closed
            }
        }

        void read() {
            try (channel) {
                Wire.Hello h = Wire.readHello(channel);
                partition = h.partition();
                events.add(new Hello(this, h.runId(), h.partition(), h.attempt()));
                ByteBuffer head = null;
                ByteBuffer body = null;
                while (true) {
                    head = Wire.readFully(channel, head, 5);
                    byte kind = head.get();
                    int epoch = head.getInt();
                    if (kind == Wire.GRAD) {
                        head = Wire.readFully(channel, head, Wire.GRAD_HEADER - 5);
                        int step = head.getInt();
                        int count = head.getInt();
                        double lossSum = head.getDouble();
                        float[] gradient = new float[Wire.getLength(head)];
                        body = Wire.readFully(channel, body, 4 * gradient.length);
                        Wire.getFloats(body, gradient);
                        events.add(new Grad(this, epoch, step, count, lossSum, gradient));
                    } else if (kind == Wire.SCORES) {
                        events.add(new Scores(this, epoch, Wire.readEvaluation(channel)));
                    } else {
                        throw new IOException("unknown message " + kind);
                    }
                }
            } catch (IOException e) {
                close();
                events.add(new Closed(this));
            }
        }

        @Override
        void send(Message m) throws IOException {
            if (!channel.isOpen()) {
                throw new IOException("the task's link is closed");
            }
            outbox.add(m);
        }

        @Override
        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            writer.interrupt();
        }
    }

    /**
     * A task in this JVM (a local master's executor): vectors change hands without copies. The task
     * reads the driver's own tensors ({@link Flat#current}), which the driver steps only once every
     * task has sent its gradient; a task's gradient is a new array every step, which it never writes
     * after handing it over.
     */
    private final class InMemory extends Conn {
        private static final TaskLink.State CLOSED = new TaskLink.State(-1, TaskLink.FINISH, null);
        private final BlockingQueue<TaskLink.State> inbox = new LinkedBlockingQueue<>();
        private volatile boolean linkClosed;

        InMemory(int partition) {
            this.partition = partition;
        }

        @Override
        void send(Message m) throws IOException {
            if (linkClosed) {
                throw new IOException("the task's link is closed");
            }
            inbox.add(new TaskLink.State(m.epoch, m.step, m.weights));
        }

        @Override
        synchronized void close() {
            if (!linkClosed) {
                linkClosed = true;
                inbox.add(CLOSED);
                events.add(new Closed(this));
            }
        }

        void post(Event e) throws IOException {
            if (linkClosed) {
                throw new IOException("the task's link is closed");
            }
            events.add(e);
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
            void send(int epoch, int step, int count, double lossSum, float[] gradient) throws IOException {
                post(new Grad(InMemory.this, epoch, step, count, lossSum, gradient));
            }

            @Override
            void sendScores(int epoch, Evaluation evaluation) throws IOException {
                post(new Scores(InMemory.this, epoch, evaluation));
            }

            @Override
            boolean isClosed() {
                return linkClosed;
            }

            @Override
            public void close() {
                InMemory.this.close();
            }
        };
    }

    /** Listens on an ephemeral port of {@code bindHost} for the {@code partitions} tasks of run {@code runId}. */
    GradientServer(String bindHost, String runId, int partitions) throws IOException {
        this.runId = runId;
        this.partitions = partitions;
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_RCVBUF, Wire.SOCKET_BUFFER);  // accepted sockets inherit it
        server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), 128);
        RUNS.put(runId, this);
        Thread acceptor = new Thread(this::acceptLoop, "ember-gradient-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Run {@code runId}'s server when this JVM drives it (a local master), else null. */
    static GradientServer inThisJvm(String runId) {
        return RUNS.get(runId);
    }

    /** Links a task of this JVM: as a TCP task's hello would, without the socket. */
    TaskLink attach(int partition, int attempt) {
        InMemory conn = new InMemory(partition);
        events.add(new Hello(conn, runId, partition, attempt));
        return conn.link;
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** How often a failed stage attempt was replaced by a new one so far. */
    int reconnects() {
        return reconnects;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Wire.configure(ch);
                SocketConn c = new SocketConn(ch);
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

    /**
     * Drives steps {@code 0 .. steps-1} of epoch {@code epoch} from {@code weights}. Returns when the
     * last step is applied (the tasks then wait for the next phase); throws if {@code stageEnded}
     * reports that the training stage ended before that.
     */
    EpochResult runEpoch(int epoch, int steps, Flat.Segments weights, Stepper stepper, BooleanSupplier stageEnded,
                         Progress progress) throws InterruptedException {
        Grad[] pending = new Grad[partitions];
        double lossSum = 0;
        long images = 0;
        long linked = 0;
        long driverNanos = 0;
        begin(new Message(epoch, 0, weights, frames), pending);
        for (int step = 0; step < steps; ) {
            if (linked == 0 && conns.size() == partitions) {
                linked = System.nanoTime();
            }
            Event e = next(stageEnded, "epoch " + (epoch + 1) + " at step " + step + " of " + steps);
            if (e == null || linkEvent(e, pending)) {
                continue;
            }
            if (!(e instanceof Grad g) || !current(g.conn()) || g.epoch() != epoch || g.step() != step) {
                continue; // stale: an older link, attempt or phase
            }
            pending[g.conn().partition] = g;
            if (Arrays.stream(pending).anyMatch(x -> x == null)) {
                continue;
            }
            long d0 = System.nanoTime();
            long count = 0;
            double loss = 0;
            for (Grad x : pending) {
                count += x.count();
                loss += x.lossSum();
            }
            float[] mean = mean(pending, weights.size(), count);
            Arrays.fill(pending, null);
            weights = stepper.step(step, mean, count, loss);
            step++;
            lossSum += loss / count;
            images += count;
            progress.after(step, loss / count, images);
            phase = step < steps ? new Message(epoch, step, weights, frames) : null;
            if (phase != null) {
                broadcast(pending);
            }
            driverNanos += System.nanoTime() - d0;
        }
        return new EpochResult(lossSum, images, steps, (System.nanoTime() - linked) / 1e9, driverNanos / 1e9);
    }

    /** Every task scores its validation shard with {@code weights}; the merged result. */
    Evaluation evaluate(int epoch, Flat.Segments weights, int numClasses, BooleanSupplier stageEnded)
            throws InterruptedException {
        Scores[] pending = new Scores[partitions];
        begin(new Message(epoch, TaskLink.EVALUATE, weights, frames), pending);
        while (Arrays.stream(pending).anyMatch(x -> x == null)) {
            Event e = next(stageEnded, "validation after epoch " + (epoch + 1));
            if (e == null || linkEvent(e, pending)) {
                continue;
            }
            if (e instanceof Scores s && current(s.conn()) && s.epoch() == epoch) {
                pending[s.conn().partition] = s;
            }
        }
        phase = null;
        Evaluation total = Evaluation.empty(numClasses);
        for (Scores s : pending) {
            total = total.merge(s.evaluation());
        }
        return total;
    }

    /** Tells the tasks that the run is over (they return); later links are told so too. */
    void finish() {
        begin(new Message(-1, TaskLink.FINISH, Flat.Segments.of(new float[0]), frames), new Object[partitions]);
    }

    private void begin(Message m, Object[] pending) {
        phase = m;
        broadcast(pending);
    }

    private void broadcast(Object[] pending) {
        for (Conn c : List.copyOf(conns.values())) {
            sendOrDrop(c, pending);
        }
    }

    private Event next(BooleanSupplier stageEnded, String where) throws InterruptedException {
        Event e = events.poll(200, TimeUnit.MILLISECONDS);
        if (e == null && stageEnded.getAsBoolean()) {
            throw new IllegalStateException("the training stage ended during " + where);
        }
        return e;
    }

    private boolean current(Conn c) {
        return c.partition >= 0 && conns.get(c.partition) == c;
    }

    /** Handles links coming and going; false for a task's result. */
    private boolean linkEvent(Event e, Object[] pending) {
        if (e instanceof Hello h) {
            if (!h.runId().equals(runId) || h.partition() < 0 || h.partition() >= partitions || h.attempt() < attempt) {
                h.conn().close();
                return true;
            }
            if (h.attempt() > attempt) {
                if (attempt >= 0) {
                    reconnects++;
                }
                dropAll(pending);
                attempt = h.attempt();
            }
            Conn old = conns.put(h.partition(), h.conn());
            if (old != null) {
                old.close();
            }
            pending[h.partition()] = null;
            if (phase != null) {
                sendOrDrop(h.conn(), pending);
            }
            return true;
        }
        if (e instanceof Closed c) {
            if (c.conn() != null && current(c.conn())) {
                // A task of the current attempt died, so the barrier stage has failed: close the other tasks'
                // links too, or they would wait forever for a phase that cannot complete, holding the slots
                // Spark needs to retry the stage. The retried tasks link again and resume from the phase.
                dropAll(pending);
            }
            return true;
        }
        return false;
    }

    private void dropAll(Object[] pending) {
        conns.values().forEach(Conn::close);
        conns.clear();
        Arrays.fill(pending, null);
    }

    /**
     * {@code sum over tasks of count × vector, / total count}, the tasks' terms added in partition
     * order, into the first non-empty vector (tasks without rows send none). One vectorisable pass
     * per further task; the factors of 1 it multiplies by elsewhere are exact.
     */
    private static float[] mean(Grad[] pending, int n, long count) {
        Grad[] parts = Arrays.stream(pending).filter(x -> x.count() > 0).toArray(Grad[]::new);
        if (parts.length == 0) {
            return new float[n];
        }
        float inv = 1f / count;
        float[] out = parts[0].gradient();
        if (parts.length == 1) {
            float w = parts[0].count();
            for (int i = 0; i < n; i++) {
                out[i] = out[i] * w * inv;
            }
            return out;
        }
        for (int p = 1; p < parts.length; p++) {
            float[] v = parts[p].gradient();
            float w = parts[p].count();
            float outWeight = p == 1 ? parts[0].count() : 1f;
            float scale = p == parts.length - 1 ? inv : 1f;
            for (int i = 0; i < n; i++) {
                out[i] = (out[i] * outWeight + v[i] * w) * scale;
            }
        }
        return out;
    }

    private void sendOrDrop(Conn c, Object[] pending) {
        try {
            c.send(phase);
        } catch (IOException ex) {
            c.close();
            conns.values().remove(c);
            if (c.partition >= 0) {
                pending[c.partition] = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        RUNS.remove(runId, this);
        conns.values().forEach(Conn::close);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
