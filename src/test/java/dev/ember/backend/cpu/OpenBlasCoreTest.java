package dev.ember.backend.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OpenBLAS gets the kernels the CPU's flags allow, whatever its model-number table knows. */
class OpenBlasCoreTest {

    @Test
    void flagsPickTheWidestKernelFamily(@TempDir Path dir) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512cd "
                + "avx512bw avx512dq avx512vl\n\nprocessor\t: 1\nflags\t\t: fpu\n");
        assertEquals("SkylakeX", OpenBlasCore.coreFor(OpenBlasCore.cpuFlags(cpuinfo)));
        assertEquals("Haswell", OpenBlasCore.coreFor(Set.of("avx", "avx2", "fma", "avx512f")));
        assertNull(OpenBlasCore.coreFor(Set.of("sse2", "avx")));
        assertEquals(Set.of(), OpenBlasCore.cpuFlags(dir.resolve("missing")));
    }

    @Test
    void anAvx2MachineDoesNotRunTheGenericKernel() {
        String blas = CpuBackend.blasImplementation();
        assumeTrue(blas.contains("OpenBLAS"), "native OpenBLAS not in use: " + blas);
        assumeTrue(OpenBlasCore.coreFor(OpenBlasCore.cpuFlags(Path.of("/proc/cpuinfo"))) != null, "CPU without AVX2");
        assertNotEquals("JNIBLAS (OpenBLAS Prescott)", blas);
    }
}
