package dev.ember.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The gradient-exchange protocol between training tasks and the driver's {@link GradientServer}.
 * Task → driver: {@code HELLO(magic, runId, epoch, partition, attempt)} once, then
 * {@code GRAD(step, count, lossSum, float[] sumGradient)} per step. Driver → task:
 * {@code STATE(step, float[] weights)}; {@code step == steps} (with no weights) ends the epoch.
 * Float arrays travel as a length and little-endian IEEE floats: the byte order of x86 and ARM, so
 * encoding and decoding are plain memory copies rather than a byte swap per element.
 */
final class Wire {
    static final int MAGIC = 0x454D4231; // "EMB1"

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
}
