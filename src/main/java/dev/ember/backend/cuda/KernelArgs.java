package dev.ember.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's parameters in declaration order, each as the little-endian bytes the kernel reads.
 * The typed adders make the Java side state each parameter's C type, which a unit test checks
 * against the PTX signatures.
 */
final class KernelArgs {
    private final List<byte[]> params = new ArrayList<>();

    /** A device pointer (C: {@code T*}). */
    KernelArgs pointer(long address) {
        return add(8).putLong(address);
    }

    /** C: {@code int} or {@code unsigned}. */
    KernelArgs i32(int value) {
        return add(4).putInt(value);
    }

    /** C: {@code long long}. */
    KernelArgs i64(long value) {
        return add(8).putLong(value);
    }

    /** C: {@code float}. */
    KernelArgs f32(float value) {
        return add(4).putFloat(value);
    }

    /** A struct made only of 32-bit ints (Dims, Operands, Gemm, ...), passed by value. */
    KernelArgs struct(int... fields) {
        Writer w = add(4 * fields.length);
        for (int f : fields) {
            w.buffer.putInt(f);
        }
        return this;
    }

    /** The parameters, one byte array each. */
    List<byte[]> params() {
        return params;
    }

    private Writer add(int bytes) {
        byte[] param = new byte[bytes];
        params.add(param);
        return new Writer(ByteBuffer.wrap(param).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Fills the parameter just added, then hands the builder back. */
    private final class Writer {
        final ByteBuffer buffer;

        Writer(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        KernelArgs putLong(long v) {
            buffer.putLong(v);
            return KernelArgs.this;
        }

        KernelArgs putInt(int v) {
            buffer.putInt(v);
            return KernelArgs.this;
        }

        KernelArgs putFloat(float v) {
            buffer.putFloat(v);
            return KernelArgs.this;
        }
    }
}
