package dev.ember.optim;

import dev.ember.autograd.GradMode;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The CPU's fused SGD-momentum pass gives the same bits as the update composed from tensor ops. */
class SgdFusedUpdateTest {
    @ParameterizedTest
    @CsvSource({"0.0, 0.0, false", "0.0005, 0.0, false", "0.0, 0.1, false", "0.01, 0.0, true", "0.001, 0.3, false"})
    void fusedEqualsComposed(double weightDecay, double dampening, boolean nesterov) {
        Generator.manualSeed(7);
        double lr = 0.037;
        double momentum = 0.9;
        Tensor p = Tensor.randn(33, 17);
        Tensor buf = Tensor.randn(33, 17);
        Tensor fusedP = p.clone();
        Tensor fusedBuf = buf.clone();
        try (var off = GradMode.noGrad()) {
            for (int step = 0; step < 3; step++) {
                Tensor grad = Tensor.randn(33, 17).mul(0.1);
                Tensor g = weightDecay != 0 ? grad.add(p, weightDecay) : grad;
                buf.mulInPlace(momentum).addInPlace(g, 1 - dampening);
                p.addInPlace(nesterov ? g.add(buf, momentum) : buf, -lr);
                fusedP.sgdMomentumInPlace(grad, fusedBuf, lr, momentum, dampening, weightDecay, nesterov);
            }
        }
        assertArrayEquals(buf.toFloatArray(), fusedBuf.toFloatArray());
        assertArrayEquals(p.toFloatArray(), fusedP.toFloatArray());
    }

    @ParameterizedTest
    @CsvSource({"0.0005, true", "0.0, false"})
    void stridedTensorsTakeTheComposedPathWithTheSameResult(double weightDecay, boolean nesterov) {
        Generator.manualSeed(8);
        Tensor p = Tensor.randn(8, 6).t();  // a transposed view: not contiguous
        Tensor buf = Tensor.randn(6, 8);
        Tensor grad = Tensor.randn(8, 6).t();
        Tensor contiguousP = p.contiguous().clone();
        Tensor contiguousBuf = buf.clone();
        try (var off = GradMode.noGrad()) {
            p.sgdMomentumInPlace(grad, buf, 0.1, 0.9, 0, weightDecay, nesterov);
            contiguousP.sgdMomentumInPlace(grad.contiguous(), contiguousBuf, 0.1, 0.9, 0, weightDecay, nesterov);
        }
        assertArrayEquals(contiguousP.toFloatArray(), p.toFloatArray());
        assertArrayEquals(contiguousBuf.toFloatArray(), buf.toFloatArray());
    }
}
