package dev.ember.tensor.random;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Assumptions;

/**
 * libtorch's CPU generator, reached through DJL's PyTorch engine. Each method names the torch call
 * DJL's JNI makes ({@code ai_djl_pytorch_jni_PyTorchLibrary_torch_random_sampling.cc}). DJL's
 * {@code JniUtils} is used rather than {@code NDManager} because it takes 64-bit seeds and double
 * parameters, as torch does.
 */
final class TorchOracle implements AutoCloseable {
    private static String unavailableReason;
    private final PtNDManager manager;

    private TorchOracle(PtNDManager manager) {
        this.manager = manager;
    }

    /** Opens the oracle, or aborts the calling test (a skip, not a failure) when libtorch cannot load. */
    static TorchOracle openOrSkip() {
        if (unavailableReason == null) {
            try {
                return new TorchOracle((PtNDManager) Engine.getEngine("PyTorch").newBaseManager());
            } catch (RuntimeException | LinkageError e) {
                unavailableReason = "PyTorch oracle unavailable (DJL could not load libtorch): " + e;
            }
        }
        Assumptions.abort(unavailableReason);
        throw new AssertionError("unreachable");
    }

    /** {@code torch.manual_seed(seed)}. */
    void manualSeed(long seed) {
        JniUtils.setSeed(seed);
    }

    /** {@code torch.normal(mean, std, (n,))}, float32. */
    float[] normal(int n, double mean, double std) {
        try (NDArray result = JniUtils.normal(manager, mean, std, new Shape(n), DataType.FLOAT32, Device.cpu())) {
            return result.toFloatArray();
        }
    }

    /** {@code torch.empty(n).uniform_(from, to)}, float32. */
    float[] uniform(int n, double from, double to) {
        try (NDArray result = JniUtils.uniform(manager, from, to, new Shape(n), DataType.FLOAT32, Device.cpu())) {
            return result.toFloatArray();
        }
    }

    /** {@code torch.randint(low, high, (n,))}, int64. */
    long[] randint(int n, long low, long high) {
        try (NDArray result = JniUtils.randint(manager, low, high, new Shape(n), DataType.INT64, Device.cpu())) {
            return result.toLongArray();
        }
    }

    /** {@code torch.randperm(n)}, int64. */
    long[] randperm(int n) {
        try (NDArray result = JniUtils.randperm(manager, n, DataType.INT64, Device.cpu())) {
            return result.toLongArray();
        }
    }

    /** The keep mask of {@code torch.nn.functional.dropout(torch.ones(n), q, training=True)}, as 0/1. */
    float[] dropoutKeepMask(int n, double q) {
        try (NDArray ones = manager.ones(new Shape(n));
                NDArray dropped = JniUtils.dropout((PtNDArray) ones, q, true)) {
            float[] mask = dropped.toFloatArray();
            for (int i = 0; i < n; i++) {
                mask[i] = mask[i] != 0 ? 1f : 0f;
            }
            return mask;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
