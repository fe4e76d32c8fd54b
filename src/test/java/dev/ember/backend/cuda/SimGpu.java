package dev.ember.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Gpu} that runs Ember's CUDA kernels on the CPU (src/test/cuda: the .cu files compiled
 * as C++ with a fiber-per-thread simulation of blocks, warps and barriers). It lets the whole
 * backend, launch parameters included, be tested against CpuBackend without a GPU; it says nothing
 * about speed, and little about races (threads interleave only at barriers).
 *
 * <p>The library is compiled on first use with g++ into target/cuda-sim (a few seconds to a
 * minute, then cached by source hash). Without g++ the tests skip ({@link #unavailableReason()});
 * with g++, a compile error fails them.
 */
final class SimGpu implements Gpu {
    private static final Path SIM_SOURCES = Path.of("src/test/cuda");
    private static final Path BUILD = Path.of("target/cuda-sim");
    private static final String LOAD_ERROR = load();

    /** Small, so that grid-stride loops and split reductions really loop. */
    private final int multiprocessors;

    SimGpu(int multiprocessors) {
        if (LOAD_ERROR != null) {
            throw new IllegalStateException(LOAD_ERROR);
        }
        this.multiprocessors = multiprocessors;
    }

    /** Why the simulator cannot run here, or null when it can. */
    static String unavailableReason() {
        return LOAD_ERROR;
    }

    private static String load() {
        try {
            List<Path> sources = new ArrayList<>(PtxFreshnessTest.list(PtxFreshnessTest.SOURCES, ".cu"));
            sources.addAll(PtxFreshnessTest.list(PtxFreshnessTest.SOURCES, ".cuh"));
            sources.addAll(PtxFreshnessTest.list(SIM_SOURCES, ""));
            sources.addAll(PtxFreshnessTest.list(PtxFreshnessTest.PTX, ".ptx"));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path p : sources) {
                digest.update(Files.readAllBytes(p));
            }
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path library = BUILD.resolve("libembersim-" + hash + ".so").toAbsolutePath();
            if (!Files.exists(library)) {
                String error = compile(library);
                if (error != null) {
                    return error;
                }
            }
            System.load(library.toString());
            return null;
        } catch (IOException | NoSuchAlgorithmException | InterruptedException | UnsatisfiedLinkError e) {
            return "cannot build the CUDA simulator: " + e;
        }
    }

    private static String compile(Path library) throws IOException, InterruptedException {
        Files.createDirectories(BUILD);
        StringBuilder kernels = new StringBuilder();
        for (Path ptx : PtxFreshnessTest.list(PtxFreshnessTest.PTX, ".ptx")) {
            for (String line : Files.readAllLines(ptx, StandardCharsets.US_ASCII)) {
                if (line.startsWith(".visible .entry ")) {
                    kernels.append("KERNEL(").append(line.substring(16).replace("(", "").trim()).append(")\n");
                }
            }
        }
        Files.writeString(BUILD.resolve("kernels.inc"), kernels);
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<String> command = List.of("g++", "-std=c++17", "-O1", "-fno-strict-aliasing", "-shared", "-fPIC",
                "-include", SIM_SOURCES.resolve("cuda_sim.h").toString(), "-I", PtxFreshnessTest.SOURCES.toString(),
                "-I", BUILD.toString(), "-I", javaHome.resolve("include").toString(),
                "-I", javaHome.resolve("include/linux").toString(), SIM_SOURCES.resolve("sim_jni.cpp").toString(),
                "-o", library + ".tmp");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "no g++ to build the CUDA simulator (" + e.getMessage() + ")";
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            // with g++ at hand, a kernel that does not compile is a bug, not a reason to skip
            throw new IllegalStateException("g++ failed to build the CUDA simulator:\n" + output);
        }
        Files.move(Path.of(library + ".tmp"), library);
        return null;
    }

    private static native long nativeAllocate(long bytes);

    private static native void nativeFree(long address);

    private static native void nativeFill32(long address, int pattern, long count);

    private static native void nativeCopyIn(long address, byte[] data);

    private static native void nativeCopyOut(long address, byte[] out);

    private static native void nativeLaunch(String kernel, int gridX, int gridY, int gridZ, int blockX, byte[][] params);

    @Override
    public String name() {
        return "CPU simulation of " + multiprocessors + " SMs";
    }

    @Override
    public int multiprocessorCount() {
        return multiprocessors;
    }

    @Override
    public long totalMemory() {
        return 4L << 30;  // host RAM stands in; the tests stay far below this
    }

    @Override
    public synchronized long allocate(long bytes) {
        return nativeAllocate(bytes);
    }

    @Override
    public synchronized void free(long address) {
        nativeFree(address);
    }

    @Override
    public synchronized void fill32(long address, int pattern, long count) {
        nativeFill32(address, pattern, count);
    }

    @Override
    public synchronized void upload(long address, float[] data) {
        ByteBuffer b = buffer(data.length * 4);
        b.asFloatBuffer().put(data);
        nativeCopyIn(address, b.array());
    }

    @Override
    public synchronized void upload(long address, long[] data) {
        ByteBuffer b = buffer(data.length * 8);
        b.asLongBuffer().put(data);
        nativeCopyIn(address, b.array());
    }

    @Override
    public synchronized void download(long address, float[] out) {
        byte[] bytes = new byte[out.length * 4];
        nativeCopyOut(address, bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    }

    @Override
    public synchronized void download(long address, long[] out) {
        byte[] bytes = new byte[out.length * 8];
        nativeCopyOut(address, bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    }

    @Override
    public synchronized void download(long address, int[] out) {
        byte[] bytes = new byte[out.length * 4];
        nativeCopyOut(address, bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    }

    @Override
    public synchronized void launch(String module, String kernel, LaunchConfig c, KernelArgs args) {
        nativeLaunch(kernel, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), args.params().toArray(byte[][]::new));
    }

    @Override
    public void synchronize() {
        // launches run to completion before they return
    }

    @Override
    public void close() {
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
