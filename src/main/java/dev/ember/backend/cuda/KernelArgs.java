package dev.ember.backend.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A kernel's parameters in declaration order, packed as 32-bit words the way the kernel's parameter
 * space lays them out: 4-byte values and int structs on 4-byte boundaries, 8-byte values (pointers,
 * {@code long long}) on 8-byte ones, with a padding word where needed. The launch path copies the
 * words in one go and hands the driver one pointer per parameter into them. The typed adders make
 * the Java side state each parameter's C type, which the simulator checks against the kernels' C
 * signatures.
 *
 * <p>Built once per launch: one object and two small arrays, no per-parameter objects.
 */
final class KernelArgs {
    private int[] words = new int[48];
    private int used;
    /** Word index and size in words of each parameter. */
    private int[] starts = new int[12];
    private int[] sizes = new int[12];
    private int count;

    /** A device pointer (C: {@code T*}). */
    KernelArgs pointer(long address) {
        return i64(address);
    }

    /** C: {@code int} or {@code unsigned}. */
    KernelArgs i32(int value) {
        begin(1, false)[used++] = value;
        return this;
    }

    /** C: {@code long long}. */
    KernelArgs i64(long value) {
        int[] w = begin(2, true);
        w[used++] = (int) value;
        w[used++] = (int) (value >>> 32);
        return this;
    }

    /** C: {@code float}. */
    KernelArgs f32(float value) {
        return i32(Float.floatToRawIntBits(value));
    }

    /** A struct made only of 32-bit ints (Dims, Operands, Gemm, ...), passed by value. */
    KernelArgs struct(int... fields) {
        int[] w = begin(fields.length, false);
        System.arraycopy(fields, 0, w, used, fields.length);
        used += fields.length;
        return this;
    }

    /**
     * {@code Dims dims, Operands<N> ops} of ember.cuh for {@code s}, written straight into the words
     * (the same ints as {@code struct(s.dims()).struct(s.operands())}).
     */
    KernelArgs strided(StridedArgs s) {
        int rank = s.rank();
        int[] w = begin(1 + StridedArgs.MAX_RANK, false);
        Arrays.fill(w, used, used + 1 + StridedArgs.MAX_RANK, 0);
        w[used] = rank;
        for (int d = 0; d < rank; d++) {
            w[used + 1 + d] = s.size(d);
        }
        used += 1 + StridedArgs.MAX_RANK;
        int operands = s.operandCount();
        int per = 1 + StridedArgs.MAX_RANK;
        w = begin(operands * per, false);
        Arrays.fill(w, used, used + operands * per, 0);
        for (int i = 0; i < operands; i++) {
            int base = used + i * per;
            w[base] = s.offset(i);
            for (int d = 0; d < rank; d++) {
                w[base + 1 + d] = s.stride(i, d);
            }
        }
        used += operands * per;
        return this;
    }

    /** Starts a parameter of {@code n} words; returns the word array, with room, to write at {@link #used}. */
    private int[] begin(int n, boolean align8) {
        if (align8 && (used & 1) != 0) {
            words = room(1);
            words[used++] = 0;
        }
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
        }
        sizes[count] = n;
        starts[count++] = used;
        words = room(n);
        return words;
    }

    private int[] room(int n) {
        return used + n <= words.length ? words : Arrays.copyOf(words, Math.max(words.length * 2, used + n));
    }

    /** The number of parameters. */
    int count() {
        return count;
    }

    /** Word index of parameter {@code i}. */
    int start(int i) {
        return starts[i];
    }

    /** Size in bytes of parameter {@code i}. */
    int bytes(int i) {
        return 4 * sizes[i];
    }

    /** All words, parameters and padding; valid up to {@link #wordCount()}. */
    int[] words() {
        return words;
    }

    int wordCount() {
        return used;
    }

    /** The parameters, one little-endian byte array each (for the simulator). */
    List<byte[]> params() {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = bytes(i);
            byte[] b = new byte[n];
            for (int k = 0; k < n; k++) {
                b[k] = (byte) (words[starts[i] + k / 4] >>> (8 * (k % 4)));
            }
            out.add(b);
        }
        return out;
    }
}
