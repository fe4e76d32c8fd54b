package dev.ember.backend.cuda;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.core.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.lang.reflect.Field;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The training parity check with cuda:0 played by the CPU simulation of the kernels. */
class SimTrainingTest extends TrainingParityContract {
    private static Map<Device, Backend> registry;

    /** Makes the simulated backend what Backends.of(cuda:0) returns, for this test class only. */
    @BeforeAll
    @SuppressWarnings("unchecked")
    static void registerSimulatorAsCuda0() throws ReflectiveOperationException {
        if (SimGpu.unavailableReason() != null) {
            return;
        }
        Field f = Backends.class.getDeclaredField("CUDA");
        f.setAccessible(true);
        registry = (Map<Device, Backend>) f.get(null);
        registry.put(CUDA, new CudaBackend(new SimGpu(4), 0));
    }

    @AfterAll
    static void unregister() {
        if (registry != null) {
            registry.remove(CUDA);
        }
    }

    @BeforeEach
    void requireSimulator() {
        assumeTrue(registry != null, () -> "skipping: " + SimGpu.unavailableReason());
    }
}
