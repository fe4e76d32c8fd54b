package dev.ember.loss;

import static dev.ember.nn.Approx.assertClose;
import static dev.ember.nn.FiniteDiff.uniform;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.ember.nn.TorchNn;
import dev.ember.nn.functional.F.Reduction;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Losses against libtorch's own kernels (softplus, log_softmax, gather) and autograd, for the formulas
 * torch's fused losses implement: bce_with_logits = softplus(x) - x·y; cross_entropy with label
 * smoothing ε = (1-ε)·nll + ε·mean_c(-log p_c). Skipped when libtorch cannot be loaded.
 */
class TorchOracleLossTest {
    private static TorchNn torch;

    @BeforeEach
    void requireOracle() {
        if (torch == null) {
            torch = TorchNn.openOrSkip();
        }
    }

    @AfterAll
    static void closeOracle() {
        if (torch != null) {
            torch.close();
            torch = null;
        }
    }

    private static PtNDArray pt(NDArray a) {
        return (PtNDArray) a;
    }

    @Test
    void bceWithLogitsValueAndGradient() {
        Tensor x = Tensor.of(new float[][] {{-3f, 0f, 2.5f, 0f}, {40f, -40f, 0.5f, -0.25f}});
        Tensor y = Tensor.of(new float[][] {{0f, 1f, 1f, 0f}, {0f, 1f, 0.3f, 0.9f}});
        java.util.function.Function<PtNDArray[], PtNDArray> bce =
                in -> pt(JniUtils.softPlus(in[0]).sub(in[0].mul(in[1])).mean());
        float[][] grads = torch.gradients(bce, Tensor.scalar(1), x, y);
        float[] value;
        try (var a = torch.of(x); var b = torch.of(y)) {
            value = bce.apply(new PtNDArray[] {a, b}).toFloatArray();
        }
        Tensor xl = x.clone().requiresGrad(true);
        Tensor yl = y.clone().requiresGrad(true);
        Tensor loss = new BCEWithLogitsLoss(Reduction.MEAN).apply(xl, yl);
        assertClose(value, loss.toFloatArray(), 1e-6, 1e-5, "bce_with_logits value");
        loss.backward();
        assertClose(grads[0], xl.grad().toFloatArray(), 1e-7, 1e-5, "d bce / d logits");
        assertClose(grads[1], yl.grad().toFloatArray(), 1e-7, 1e-5, "d bce / d target");
    }

    @Test
    void crossEntropyWithLabelSmoothingValueAndGradient() {
        Tensor logits = uniform(1, -4, 4, 6, 5);
        Tensor target = Tensor.ofLongs(4, 0, 2, 2, 1, 3);
        for (double eps : new double[] {0, 0.1, 0.7}) {
            java.util.function.Function<PtNDArray[], PtNDArray> ce = in -> {
                PtNDArray lp = JniUtils.logSoftmax(in[0], 1, ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray nll = pt(JniUtils.gather(lp, pt(in[1].reshape(6, 1)), 1)).reshape(6).neg();
                NDArray smooth = lp.mean(new int[] {1}).neg();
                return pt(nll.mul(1 - eps).add(smooth.mul(eps)).mean());
            };
            float[] value;
            try (var a = torch.of(logits); var b = torch.of(target)) {
                value = ce.apply(new PtNDArray[] {a, b}).toFloatArray();
            }
            float[] grad = torch.gradients(ce, Tensor.scalar(1), logits, target)[0];
            Tensor xl = logits.clone().requiresGrad(true);
            Tensor loss = new CrossEntropyLoss(Reduction.MEAN, eps).apply(xl, target);
            assertClose(value, loss.toFloatArray(), 1e-6, 1e-5, "cross_entropy value, label_smoothing " + eps);
            loss.backward();
            assertClose(grad, xl.grad().toFloatArray(), 1e-7, 1e-5, "cross_entropy gradient, label_smoothing " + eps);
        }
    }
}
