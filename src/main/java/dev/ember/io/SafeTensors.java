package dev.ember.io;

import dev.ember.core.DType;
import dev.ember.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * mapping each name to {@code dtype}, {@code shape} and {@code data_offsets} (plus an optional
 * {@code __metadata__} object of strings), padded with spaces to 8 bytes, then the raw
 * little-endian data. Files written here load with {@code safetensors.torch.load_file}, and files
 * written by PyTorch load here (F32, F64, F16, BF16 read as float32; I64, I32, U8, I8 as int64;
 * BOOL as bool). Every header field is validated; a bad file fails with its name and the problem.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** Tensors in file order and the string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    // ---------------------------------------------------------------- writing

    /** Writes atomically (temporary name, then rename). Tensors keep their map order. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        AtomicFiles.write(path, toBytes(tensors, metadata));
    }

    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' cannot be a tensor name");
            }
            Tensor t = e.getValue();
            byte[] blob = encode(t);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", code(t.dtype()));
            entry.put("shape", t.shape().toArray());
            entry.put("data_offsets", new long[] {offset, offset + blob.length});
            header.put(e.getKey(), entry);
            blobs.add(blob);
            offset += blob.length;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (byte[] b : blobs) {
            out.put(b);
        }
        return out.array();
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static byte[] encode(Tensor t) {
        ByteBuffer b;
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] v = t.detach().toFloatArray();
                b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
            }
            case INT64 -> {
                long[] v = t.toLongArray();
                b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().put(v);
            }
            default -> {
                float[] v = t.toFloatArray();
                b = ByteBuffer.allocate(v.length);
                for (float f : v) {
                    b.put((byte) (f != 0 ? 1 : 0));
                }
            }
        }
        return b.array();
    }

    // ---------------------------------------------------------------- reading

    public static Contents read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
        }
        return read(bytes, path.toString());
    }

    /** Parses a whole file's bytes; {@code source} names it in errors. */
    @SuppressWarnings("unchecked")
    public static Contents read(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw bad(source, "file is " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
            throw bad(source, "header length " + headerLen + " does not fit a file of " + bytes.length
                    + " bytes (truncated or not a safetensors file)");
        }
        Map<String, Object> header;
        try {
            header = Json.parseObject(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw bad(source, "corrupt header: " + e.getMessage());
        }
        int dataStart = 8 + (int) headerLen;
        long dataLen = bytes.length - (long) dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<long[]> spans = new ArrayList<>();
        for (var e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw bad(source, "__metadata__ must be an object of strings");
                }
                for (var me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw bad(source, "__metadata__ value for '" + me.getKey() + "' is not a string");
                    }
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> entry)) {
                throw bad(source, "entry '" + name + "' is not an object");
            }
            Map<String, Object> fields = (Map<String, Object>) entry;
            String dtype = field(fields, "dtype", String.class, name, source);
            int[] shape = ints(field(fields, "shape", List.class, name, source), name, "shape", source);
            int[] offsets = ints(field(fields, "data_offsets", List.class, name, source), name, "data_offsets", source);
            if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
                throw bad(source, "tensor '" + name + "': data_offsets must be [begin, end] with 0 <= begin <= end");
            }
            if (offsets[1] > dataLen) {
                throw bad(source, "tensor '" + name + "': data runs to byte " + offsets[1] + " of the data section, but "
                        + "the file holds only " + dataLen + " data bytes (truncated?)");
            }
            long numel = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw bad(source, "tensor '" + name + "': negative dimension in shape");
                }
                numel *= d;
            }
            int width = width(dtype, name, source);
            if (numel * width != offsets[1] - offsets[0]) {
                throw bad(source, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " of " + dtype
                        + " needs " + numel * width + " bytes, but data_offsets span " + (offsets[1] - offsets[0]));
            }
            spans.add(new long[] {offsets[0], offsets[1]});
            tensors.put(name, decode(bytes, dataStart + offsets[0], (int) numel, dtype, shape));
        }
        checkTiling(spans, dataLen, source);
        return new Contents(tensors, metadata);
    }

    /** The spec requires the tensors to cover the data section exactly, without gaps or overlaps. */
    private static void checkTiling(List<long[]> spans, long dataLen, String source) {
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] s : spans) {
            if (s[0] != at) {
                throw bad(source, "tensor data " + (s[0] < at ? "overlaps" : "leaves a gap") + " at byte " + at);
            }
            at = s[1];
        }
        if (at != dataLen) {
            throw bad(source, "the data section has " + dataLen + " bytes but the tensors use " + at);
        }
    }

    private static <T> T field(Map<String, Object> fields, String key, Class<T> type, String name, String source) {
        Object v = fields.get(key);
        if (!type.isInstance(v)) {
            throw bad(source, "tensor '" + name + "': field '" + key + "' is missing or not a " + type.getSimpleName());
        }
        return type.cast(v);
    }

    private static int[] ints(List<?> list, String name, String key, String source) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l > Integer.MAX_VALUE) {
                throw bad(source, "tensor '" + name + "': " + key + " must hold integers, got " + list);
            }
            out[i] = (int) (long) l;
        }
        return out;
    }

    private static int width(String dtype, String name, String source) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "BOOL", "U8", "I8" -> 1;
            default -> throw bad(source, "tensor '" + name + "': unsupported dtype '" + dtype + "'");
        };
    }

    private static Tensor decode(byte[] bytes, int at, int n, String dtype, int[] shape) {
        ByteBuffer b = ByteBuffer.wrap(bytes, at, bytes.length - at).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype.equals("I64") || dtype.equals("I32") || dtype.equals("U8") || dtype.equals("I8")) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (dtype) {
                    case "I64" -> b.getLong(i * 8);
                    case "I32" -> b.getInt(i * 4);
                    case "U8" -> b.get(i) & 0xff;
                    default -> b.get(i);
                };
            }
            return Tensor.wrap(v, shape);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (dtype) {
                case "F32" -> b.getFloat(i * 4);
                case "F64" -> (float) b.getDouble(i * 8);
                case "F16" -> halfToFloat(b.getShort(i * 2));
                case "BF16" -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                default -> b.get(i) != 0 ? 1f : 0f;
            };
        }
        Tensor t = Tensor.wrap(v, shape);
        return dtype.equals("BOOL") ? t.to(DType.BOOL) : t;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static IllegalArgumentException bad(String source, String what) {
        return new IllegalArgumentException("invalid safetensors file " + source + ": " + what);
    }
}
