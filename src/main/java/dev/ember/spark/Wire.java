package dev.ember.spark;

import dev.ember.train.Evaluation;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The gradient-exchange protocol between training tasks and the driver's {@link GradientServer}.
 * Task → driver: {@code HELLO(magic, runId, partition, attempt)} once, then per step
 * {@code GRAD(epoch, step, count, lossSum, float[] gradient)} and per validation
 * {@code SCORES(epoch, lossSum, correct, count, long[k][k] confusion)}. Driver → task:
 * {@code (epoch, step, float[] weights)}, where step {@link TaskLink#EVALUATE} asks for scores and
 * {@link TaskLink#FINISH} (no weights) ends the stage.
 * Float arrays travel as a length and little-endian IEEE floats: the byte order of x86 and ARM, so
 * encoding and decoding are plain memory copies rather than a byte swap per element.
 */
final class Wire {
    static final int MAGIC = 0x454D4232; // "EMB2"
    static final byte GRAD = 'G';
    static final byte SCORES = 'S';
    /**
     * Socket buffers of 4 MiB each way (Linux caps them at net.core.{w,r}mem_max): a step's weights or
     * gradient (0.8 MB for the digits MLP) fit, so a write returns without waiting for the reader.
     */
    static final int SOCKET_BUFFER = 1 << 22;

    private Wire() {
    }

    static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        out.write(encode(v));
    }

    /** The floats' bytes, once, for a message sent to several tasks. */
    static byte[] encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** {@link #writeFloats} of floats already {@link #encode encoded}. */
    static void writeEncoded(DataOutputStream out, byte[] encoded) throws IOException {
        out.writeInt(encoded.length / 4);
        out.write(encoded);
    }

    static float[] readFloats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 29)) {
            throw new IOException("bad float array length " + n);
        }
        byte[] bytes = new byte[n * 4];
        in.readFully(bytes);
        float[] v = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    static void writeEvaluation(DataOutputStream out, Evaluation e) throws IOException {
        out.writeDouble(e.lossSum());
        out.writeLong(e.correct());
        out.writeLong(e.count());
        out.writeInt(e.confusion().length);
        for (long[] row : e.confusion()) {
            for (long v : row) {
                out.writeLong(v);
            }
        }
    }

    static Evaluation readEvaluation(DataInputStream in) throws IOException {
        double lossSum = in.readDouble();
        long correct = in.readLong();
        long count = in.readLong();
        int k = in.readInt();
        if (k < 0 || k > 1 << 16) {
            throw new IOException("bad class count " + k);
        }
        long[][] confusion = new long[k][k];
        for (long[] row : confusion) {
            for (int j = 0; j < k; j++) {
                row[j] = in.readLong();
            }
        }
        return new Evaluation(lossSum, correct, count, confusion);
    }
}
