package dev.ember.spark;

import dev.ember.train.Evaluation;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The gradient-exchange protocol between training tasks and the driver's {@link GradientServer}, over
 * blocking socket channels. Task → driver: {@code HELLO(magic, runId, partition, attempt)} once, then
 * per step {@code GRAD(epoch, step, count, lossSum, float[] gradient)} and per validation
 * {@code SCORES(epoch, lossSum, correct, count, long[k][k] confusion)}. Driver → task:
 * {@code (epoch, step, float[] weights)}, where step {@link TaskLink#EVALUATE} asks for scores and
 * {@link TaskLink#FINISH} (no weights) ends the stage.
 *
 * <p>Everything is little-endian, the byte order of x86 and ARM, so a float array is one memory copy
 * each way between a Java array and a direct buffer, which the socket reads or writes without a
 * further copy. Each end reuses its direct buffers: a step's vector (0.8 MB for the digits MLP)
 * would otherwise cost a fresh byte array and a float array per message, plus the JDK's own copy
 * of a heap array into a temporary direct buffer.
 */
final class Wire {
    static final int MAGIC = 0x454D4233; // "EMB3"
    static final byte GRAD = 'G';
    static final byte SCORES = 'S';
    /** Bytes before a {@code GRAD}'s floats: kind, epoch, step, count, lossSum, length. */
    static final int GRAD_HEADER = 1 + 4 + 4 + 4 + 8 + 4;
    /** Bytes before the weights' floats: epoch, step, length. */
    static final int STATE_HEADER = 4 + 4 + 4;
    /**
     * Socket buffers of 4 MiB each way (Linux caps them at net.core.{w,r}mem_max): a step's weights or
     * gradient (0.8 MB for the digits MLP) fit, so a write returns without waiting for the reader.
     */
    static final int SOCKET_BUFFER = 1 << 22;
    private static final int MAX_FLOATS = 1 << 29;

    private Wire() {
    }

    static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
    }

    /** {@code b} cleared, or a new little-endian direct buffer when {@code b} holds fewer than {@code bytes}. */
    static ByteBuffer cleared(ByteBuffer b, int bytes) {
        if (b == null || b.capacity() < bytes) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        return b.clear();
    }

    /** {@code v}'s length, then its floats. */
    static void putFloats(ByteBuffer b, Flat.Segments v) {
        int n = v.size();
        b.putInt(n);
        v.writeTo(b.asFloatBuffer());
        b.position(b.position() + 4 * n);
    }

    /** Reads a length as written by {@link #putFloats}, checked. */
    static int getLength(ByteBuffer b) throws IOException {
        int n = b.getInt();
        if (n < 0 || n > MAX_FLOATS) {
            throw new IOException("bad float array length " + n);
        }
        return n;
    }

    /** The floats at {@code b}'s position into {@code v} (all of it). */
    static void getFloats(ByteBuffer b, float[] v) {
        b.asFloatBuffer().get(v);
        b.position(b.position() + 4 * v.length);
    }

    /** Writes {@code b} from its position to its limit. */
    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads exactly {@code bytes} into {@code b} (or a larger buffer, returned), flipped for reading. */
    static ByteBuffer readFully(SocketChannel ch, ByteBuffer b, int bytes) throws IOException {
        ByteBuffer to = cleared(b, bytes).limit(bytes);
        while (to.hasRemaining()) {
            if (ch.read(to) < 0) {
                throw new EOFException("the other end closed the link");
            }
        }
        return to.flip();
    }

    /** A little-endian heap buffer for a message read once per link or epoch (direct memory is freed only by the GC). */
    private static ByteBuffer small(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer hello(String runId, int partition, int attempt) {
        byte[] id = runId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + id.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(id.length).put(id).putInt(partition).putInt(attempt);
        return b.flip();
    }

    /** A {@link #hello}'s run id, partition and attempt, or an IOException for anything else. */
    static Hello readHello(SocketChannel ch) throws IOException {
        ByteBuffer head = readFully(ch, small(8), 8);
        if (head.getInt() != MAGIC) {
            throw new IOException("not an Ember training task");
        }
        int idLength = head.getInt();
        if (idLength < 0 || idLength > 1 << 12) {
            throw new IOException("bad run id length " + idLength);
        }
        ByteBuffer rest = readFully(ch, small(idLength + 8), idLength + 8);
        byte[] id = new byte[idLength];
        rest.get(id);
        return new Hello(new String(id, StandardCharsets.UTF_8), rest.getInt(), rest.getInt());
    }

    record Hello(String runId, int partition, int attempt) {
    }

    static int evaluationBytes(Evaluation e) {
        int k = e.confusion().length;
        return 8 + 8 + 8 + 4 + 8 * k * k;
    }

    static void putEvaluation(ByteBuffer b, Evaluation e) {
        b.putDouble(e.lossSum()).putLong(e.correct()).putLong(e.count()).putInt(e.confusion().length);
        for (long[] row : e.confusion()) {
            for (long v : row) {
                b.putLong(v);
            }
        }
    }

    /** An evaluation as {@link #putEvaluation} wrote it, read from {@code ch}. */
    static Evaluation readEvaluation(SocketChannel ch) throws IOException {
        ByteBuffer head = readFully(ch, small(28), 28);
        double lossSum = head.getDouble();
        long correct = head.getLong();
        long count = head.getLong();
        int k = head.getInt();
        if (k < 0 || k > 1 << 12) {
            throw new IOException("bad class count " + k);
        }
        ByteBuffer cells = readFully(ch, small(8 * k * k), 8 * k * k);
        long[][] confusion = new long[k][k];
        for (long[] row : confusion) {
            for (int j = 0; j < k; j++) {
                row[j] = cells.getLong();
            }
        }
        return new Evaluation(lossSum, correct, count, confusion);
    }
}
