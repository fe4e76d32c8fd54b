package dev.ember.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.ember.core.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;

import java.util.function.Function;

/**
 * libtorch 2.7.1 (CPU, through DJL's PyTorch engine) as an oracle for nn ops: each method names the
 * torch call that DJL's JNI makes. Tests call {@link #openOrSkip()}, which aborts the test (a skip,
 * not a failure) with the reason when libtorch cannot be loaded.
 */
public final class TorchNn implements AutoCloseable {
    private static String unavailableReason;
    private final PtNDManager manager;

    private TorchNn(PtNDManager manager) {
        this.manager = manager;
    }

    public static TorchNn openOrSkip() {
        if (unavailableReason == null) {
            try {
                return new TorchNn((PtNDManager) Engine.getEngine("PyTorch").newBaseManager());
            } catch (RuntimeException | LinkageError e) {
                unavailableReason = "PyTorch oracle unavailable (DJL could not load libtorch): " + e;
            }
        }
        Assumptions.abort(unavailableReason);
        throw new AssertionError("unreachable");
    }

    /** A libtorch copy of an Ember tensor (float32 or int64). */
    public PtNDArray of(Tensor t) {
        Shape shape = new Shape(java.util.Arrays.stream(t.shape().toArray()).asLongStream().toArray());
        NDArray a = t.dtype() == DType.INT64 ? manager.create(t.toLongArray(), shape)
                : manager.create(t.toFloatArray(), shape);
        return (PtNDArray) a;
    }

    private static Shape pair(int[] v) {
        return new Shape(v[0], v[1]);
    }

    /** {@code torch.manual_seed(seed)}. */
    public void manualSeed(long seed) {
        JniUtils.setSeed(seed);
    }

    /** {@code torch.empty(n).uniform_(from, to)}, float32. */
    public float[] uniform(int n, double from, double to) {
        return JniUtils.uniform(manager, from, to, new Shape(n), DataType.FLOAT32, Device.cpu()).toFloatArray();
    }

    /** {@code torch.empty(n).normal_(mean, std)}, float32. */
    public float[] normal(int n, double mean, double std) {
        return JniUtils.normal(manager, mean, std, new Shape(n), DataType.FLOAT32, Device.cpu()).toFloatArray();
    }

    /** {@code F.linear(x, w, b)}. */
    public float[] linear(Tensor x, Tensor w, Tensor b) {
        return JniUtils.linear(of(x), of(w), b == null ? null : of(b)).toFloatArray();
    }

    /** {@code F.conv2d(x, w, b, stride, padding, dilation)}. */
    public float[] conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation) {
        return JniUtils.convolution(of(x), of(w), b == null ? null : of(b), pair(stride), pair(padding),
                pair(dilation), 1).toFloatArray();
    }

    /** {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public float[] maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return JniUtils.maxPool(of(x), pair(kernel), pair(stride), pair(padding), false).toFloatArray();
    }

    /** {@code F.avg_pool2d(x, kernel, stride, padding, count_include_pad=...)}. */
    public float[] avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return JniUtils.avgPool(of(x), pair(kernel), pair(stride), pair(padding), false, countIncludePad)
                .toFloatArray();
    }

    /** {@code F.adaptive_avg_pool2d(x, (outH, outW))}. */
    public float[] adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return JniUtils.adaptiveAvgPool(of(x), new Shape(outH, outW)).toFloatArray();
    }

    public float[] softmax(Tensor x, int dim) {
        return JniUtils.softmax(of(x), dim, DataType.FLOAT32).toFloatArray();
    }

    public float[] logSoftmax(Tensor x, int dim) {
        return JniUtils.logSoftmax(of(x), dim, DataType.FLOAT32).toFloatArray();
    }

    /** What {@code torch.batch_norm} returns and leaves in the running statistics it updates in place. */
    public record BatchNormResult(float[] output, float[] runningMean, float[] runningVar) {
    }

    /** {@code torch.batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps)}. */
    public BatchNormResult batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                     boolean training, double momentum, double eps) {
        PtNDArray rm = of(runningMean);
        PtNDArray rv = of(runningVar);
        // DJL's JNI hands its 2nd..5th arguments to torch::batch_norm as running_mean, running_var, weight,
        // bias (as PtNDArrayEx passes them), whatever JniUtils' parameter names say;
        // TorchOracleNnTest.batchNormArgumentOrder pins this down
        PtNDArray out = JniUtils.batchNorm(of(x), rm, rv, of(weight), of(bias), training, momentum, eps);
        return new BatchNormResult(out.toFloatArray(), rm.toFloatArray(), rv.toFloatArray());
    }

    /**
     * libtorch's gradients of {@code sum(f(inputs) * gradOut)} with respect to each float input, by its
     * autograd (grad mode switched on for the call).
     */
    public float[][] gradients(Function<PtNDArray[], PtNDArray> f, Tensor gradOut, Tensor... inputs) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            PtNDArray[] in = new PtNDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                in[i] = of(inputs[i]);
                if (inputs[i].dtype() == DType.FLOAT32) {
                    JniUtils.attachGradient(in[i], true);
                }
            }
            PtNDArray out = f.apply(in);
            JniUtils.backward(out, of(gradOut), false, false);
            float[][] grads = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].dtype() == DType.FLOAT32) {
                    grads[i] = JniUtils.getGradient(in[i]).toFloatArray();
                }
            }
            return grads;
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    /** Ops for building functions for {@link #gradients}. */
    public static PtNDArray maxPool(PtNDArray x, int[] kernel, int[] stride, int[] padding) {
        return JniUtils.maxPool(x, pair(kernel), pair(stride), pair(padding), false);
    }

    public static PtNDArray avgPool(PtNDArray x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return JniUtils.avgPool(x, pair(kernel), pair(stride), pair(padding), false, countIncludePad);
    }

    @Override
    public void close() {
        manager.close();
    }
}
