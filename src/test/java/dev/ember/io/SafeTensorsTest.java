package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.nn.BatchNorm1d;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The safetensors format: byte-exact round trips, the header layout, Python's files, bad files, atomic writes. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Sequential model() {
        Generator.manualSeed(0);
        Sequential m = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
        m.forward(Tensor.randn(5, 3));
        return m;
    }

    /** A file as Python's safetensors writes it: u64 LE length, compact JSON padded with spaces to 8, data. */
    static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "names and order");
        for (var e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            assertEquals(e.getValue().dtype(), a.dtype(), e.getKey());
            assertEquals(e.getValue().shape(), a.shape(), e.getKey());
            if (a.dtype() == DType.INT64) {
                assertArrayEquals(e.getValue().toLongArray(), a.toLongArray(), e.getKey());
            } else {
                assertArrayEquals(e.getValue().toFloatArray(), a.toFloatArray(), e.getKey());
            }
        }
    }

    // ---------------------------------------------------------------- round trips and layout

    @Test
    void stateDictRoundTripsByteExactly() throws Exception {
        Sequential m = model();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("epoch", "3");
        Path first = dir.resolve("a.safetensors");
        SafeTensors.write(first, m.stateDict(), meta);
        SafeTensors.Contents back = SafeTensors.read(first);
        assertSameTensors(m.stateDict(), back.tensors());
        assertEquals(meta, back.metadata());
        Path second = dir.resolve("b.safetensors");
        SafeTensors.write(second, back.tensors(), back.metadata());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "write -> read -> write is byte-exact");

        Sequential other = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
        other.loadStateDict(back.tensors(), true);
        assertSameTensors(m.stateDict(), other.stateDict());
    }

    @Test
    void specialValuesSurvive() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("f", Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE,
                Float.MAX_VALUE));
        t.put("i", Tensor.ofLongs(Long.MIN_VALUE, -1, 0, Long.MAX_VALUE));
        t.put("empty", Tensor.zeros(0, 3));
        t.put("scalar", Tensor.scalar(2.5));
        t.put("mask", Tensor.of(0.2f, 0.7f, 0.9f).gt(0.5));
        SafeTensors.Contents back = SafeTensors.read(SafeTensors.toBytes(t, null), "mem");
        assertSameTensors(t, back.tensors());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.tensors().get("f").toFloatArray()[3]));
        assertTrue(back.metadata().isEmpty());
    }

    @Test
    void headerLayout() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        t.put("n", Tensor.scalar(7).to(DType.INT64));
        t.put("b", Tensor.of(-1f));
        byte[] bytes = SafeTensors.toBytes(t, Map.of("format", "pt"));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        assertEquals(0, n % 8, "header length is a multiple of 8");
        assertEquals(8 + n + 24 + 8 + 4, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padded with spaces");
        assertTrue(header.length() - json.length() < 8);
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}", json);
        int data = 8 + (int) n;
        assertEquals(1f, buf.getFloat(data), "little-endian data right after the header");
        assertEquals(6f, buf.getFloat(data + 20));
        assertEquals(7L, buf.getLong(data + 24));
        assertEquals(-1f, buf.getFloat(data + 32));
    }

    @Test
    void readsAndWritesPythonsLayout() {
        // safetensors.torch.save_file({"weight": w, "bias": b}) sorts same-dtype tensors by name, writes
        // __metadata__ {"format": "pt"} first, compact JSON, padding with spaces
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}";
        byte[] python = file(json, floats(0.5f, -0.5f, 1, 2, 3, 4));
        SafeTensors.Contents c = SafeTensors.read(python, "python");
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {0.5f, -0.5f}, c.tensors().get("bias").toFloatArray());
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("weight").shape().toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.tensors().get("weight").toFloatArray());
        assertArrayEquals(python, SafeTensors.toBytes(c.tensors(), c.metadata()), "Ember writes Python's bytes");
    }

    @Test
    void readsTheOtherDtypesTorchWrites() {
        ByteBuffer d = ByteBuffer.allocate(8 + 2 + 2 + 4 + 1 + 1 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(-2.25);               // F64 [1]
        d.putShort((short) 0x3e00);       // F16 1.5
        d.putShort((short) 0x3fc0);       // BF16 1.5
        d.putInt(-7);                     // I32
        d.put((byte) 200);                // U8
        d.put((byte) -3);                 // I8
        d.put((byte) 1).put((byte) 0);    // BOOL [2]
        d.putLong(1L << 40);              // I64
        String json = "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[10,12]},"
                + "\"d\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[12,16]},"
                + "\"e\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[16,17]},"
                + "\"f\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[17,18]},"
                + "\"g\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[18,20]},"
                + "\"h\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[20,28]}}";
        Map<String, Tensor> t = SafeTensors.read(file(json, d.array()), "dtypes").tensors();
        assertEquals(-2.25f, t.get("a").item());
        assertEquals(1.5f, t.get("b").item());
        assertEquals(1.5f, t.get("c").item());
        assertEquals(-7L, t.get("d").toLongArray()[0]);
        assertEquals(200L, t.get("e").toLongArray()[0]);
        assertEquals(-3L, t.get("f").toLongArray()[0]);
        assertEquals(DType.BOOL, t.get("g").dtype());
        assertArrayEquals(new float[] {1, 0}, t.get("g").toFloatArray());
        assertEquals(1L << 40, t.get("h").item(), 0);
        assertEquals(DType.INT64, t.get("h").dtype());
    }

    @Test
    void halfPrecisionDecoding() {
        assertEquals(1f, SafeTensors.halfToFloat((short) 0x3c00));
        assertEquals(-2f, SafeTensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, SafeTensors.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(SafeTensors.halfToFloat((short) 0x7e00)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(SafeTensors.halfToFloat((short) 0x8000)));
    }

    // ---------------------------------------------------------------- bad files

    private static String error(byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(bytes, "bad.st"));
        assertTrue(e.getMessage().contains("bad.st"), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static final String ONE = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void truncatedFiles() {
        assertTrue(error(new byte[5]).contains("shorter than the 8-byte header length"));
        byte[] good = file(ONE, floats(1, 2));
        byte[] cutInHeader = java.util.Arrays.copyOf(good, 20);
        assertTrue(error(cutInHeader).contains("header length"), "header length larger than the file");
        byte[] cutInData = java.util.Arrays.copyOf(good, good.length - 1);
        String msg = error(cutInData);
        assertTrue(msg.contains("'x'") && msg.contains("truncated"), msg);
    }

    @Test
    void implausibleHeaderLengths() {
        byte[] zero = new byte[16];
        assertTrue(error(zero).contains("header length 0"));
        byte[] negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8).array();
        assertTrue(error(negative).contains("header length"));
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertTrue(error(huge).contains("header length"));
    }

    @Test
    void corruptJson() {
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],", floats(1, 2))).contains("corrupt header"));
        assertTrue(error(file("[1, 2]", new byte[0])).contains("corrupt header"));
        assertTrue(error(file("{\"x\": 3}", new byte[0])).contains("'x' is not an object"));
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", floats(1, 2))).contains("'shape'"));
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", floats(1, 2)))
                .contains("shape must hold integers"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("not a string"));
    }

    @Test
    void unknownDtype() {
        String msg = error(file("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]));
        assertTrue(msg.contains("unsupported dtype 'F8_E4M3'"), msg);
    }

    @Test
    void offsetsThatDoNotMatchTheShape() {
        String msg = error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", floats(1, 2)));
        assertTrue(msg.contains("needs 12 bytes") && msg.contains("span 8"), msg);
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", floats(1, 2)))
                .contains("data_offsets"));
        assertTrue(error(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", floats(1, 2)))
                .contains("data_offsets"));
    }

    @Test
    void gapsAndOverlaps() {
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertTrue(error(file(gap, floats(1, 2, 3))).contains("gap"));
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(error(file(overlap, floats(1, 2))).contains("overlaps"));
        String trailing = ONE;
        assertTrue(error(file(trailing, floats(1, 2, 3))).contains("the tensors use 8"), "unclaimed trailing bytes");
        // tensors may be listed in any order as long as their spans tile the data
        String shuffled = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Map<String, Tensor> t = SafeTensors.read(file(shuffled, floats(1, 2)), "ok").tensors();
        assertEquals(2f, t.get("b").item());
        assertEquals(1f, t.get("a").item());
    }

    @Test
    void writerRejectsTheReservedName() {
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.zeros(1)), null));
    }

    // ---------------------------------------------------------------- atomic writes

    private List<Path> listing() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void failedWritesLeaveNoPartialFile() throws Exception {
        Path notADir = dir.resolve("file.txt");
        Files.writeString(notADir, "x");
        List<Path> before = listing();
        assertThrows(UncheckedIOException.class,
                () -> SafeTensors.write(notADir.resolve("model.safetensors"), model().stateDict(), null));
        assertEquals(before, listing(), "nothing created when the target's directory is a file");

        Path isADir = dir.resolve("taken");
        Files.createDirectories(isADir.resolve("inside"));
        List<Path> before2 = listing();
        assertThrows(UncheckedIOException.class, () -> SafeTensors.write(isADir, model().stateDict(), null));
        assertEquals(before2, listing(), "no temporary file left behind when the rename fails");
    }

    @Test
    void overwritingReplacesTheWholeFile() throws Exception {
        Path p = dir.resolve("sub/dir/m.safetensors");
        SafeTensors.write(p, model().stateDict(), null);
        byte[] big = Files.readAllBytes(p);
        SafeTensors.write(p, Map.of("x", Tensor.of(1f)), null);
        byte[] small = Files.readAllBytes(p);
        assertTrue(small.length < big.length);
        assertEquals(1f, SafeTensors.read(p).tensors().get("x").item());
        assertEquals(List.of(p), Files.list(p.getParent()).toList(), "no temporary files left");
        assertFalse(Files.exists(dir.resolve("missing.safetensors")));
        assertThrows(UncheckedIOException.class, () -> SafeTensors.read(dir.resolve("missing.safetensors")));
    }
}
