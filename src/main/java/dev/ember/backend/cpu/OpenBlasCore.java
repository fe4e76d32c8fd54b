package dev.ember.backend.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses OpenBLAS's kernels from the CPU's instruction-set flags, before the library loads.
 * OpenBLAS's DYNAMIC_ARCH build picks kernels by CPU model number, and a release older than the CPU
 * falls back to its generic x86-64 kernel (Prescott, SSE3 only): on this project's VM (family 6
 * model 207 with AVX-512, Debian's OpenBLAS 0.3.21) that made small GEMMs 2–3× slower than the
 * AVX-512 kernel. OpenBLAS reads OPENBLAS_CORETYPE when it initialises, so it is set in this
 * process's environment (libc setenv) before netlib loads the library; a value the user set wins.
 */
final class OpenBlasCore {
    private OpenBlasCore() {
    }

    /** Sets OPENBLAS_CORETYPE from /proc/cpuinfo when unset; a no-op off Linux x86-64. */
    static void chooseBeforeLoading() {
        if (System.getenv("OPENBLAS_CORETYPE") != null || !System.getProperty("os.arch").equals("amd64")) {
            return;
        }
        String core = coreFor(cpuFlags(Path.of("/proc/cpuinfo")));
        if (core == null) {
            return;
        }
        try {
            NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] {"OPENBLAS_CORETYPE", core, 0});
        } catch (LinkageError e) {
            // no libc to call, or JNA missing from the classpath: OpenBLAS keeps its own choice
        }
    }

    /** OpenBLAS's name for the best kernel family these flags allow, or null to leave it to OpenBLAS. */
    static String coreFor(Set<String> flags) {
        if (flags.containsAll(Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"))) {
            return "SkylakeX";
        }
        if (flags.containsAll(Set.of("avx2", "fma"))) {
            return "Haswell";
        }
        return null;
    }

    /** The first "flags" line of a cpuinfo file, or nothing when it cannot be read. */
    static Set<String> cpuFlags(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** The kernel family OpenBLAS runs (e.g. "SkylakeX"), or null when the BLAS is not native OpenBLAS. */
    static String loaded(String library) {
        try {
            Function name = NativeLibrary.getInstance(library).getFunction("openblas_get_corename");
            return name.invokeString(new Object[0], false);
        } catch (LinkageError e) {
            return null;
        }
    }
}
