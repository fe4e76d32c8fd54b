package dev.ember.autograd;

import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.backend.ConvGeometry;
import dev.ember.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Finite-difference checks of the convolution primitive and of its two gradient ops, which are its
 * backward pass and, being differentiable themselves, its double backward.
 */
class GradCheckConvTest {

    /** channels, in H, in W, kernel, stride, padding, dilation; out channels 3, batch 2. */
    private static final int[][] GEOMETRIES = {
            {2, 6, 5, 3, 1, 0, 1}, {2, 7, 6, 3, 2, 1, 1}, {1, 7, 7, 3, 1, 2, 2}, {3, 5, 6, 2, 2, 0, 1}};

    private static ConvGeometry geometry(int[] c) {
        return new ConvGeometry(c[0], c[1], c[2], c[3], c[3], c[4], c[4], c[5], c[5], c[6], c[6]);
    }

    private static String name(int[] c) {
        return "C" + c[0] + " " + c[1] + "x" + c[2] + " kernel " + c[3] + " stride " + c[4] + " padding " + c[5]
                + " dilation " + c[6];
    }

    @TestFactory
    Stream<DynamicTest> convolutionAndItsGradientOps() {
        return Stream.of(GEOMETRIES).flatMap(c -> {
            ConvGeometry g = geometry(c);
            Tensor x = randn(1, 2, c[0], c[1], c[2]);
            // the same values through a transposed view: strided input
            Tensor xT = randn(1, 2, c[0], c[2], c[1]);
            Tensor w = randn(2, 3, c[0], c[3], c[3]);
            Tensor b = randn(3, 3);
            Tensor gy = randn(4, 2, 3, g.outH(), g.outW());
            return Stream.of(
                    dynamicTest("conv2d " + name(c), () -> GradCheck.check(t -> t[0].conv2d(t[1], t[2], g), x, w, b)),
                    dynamicTest("conv2d of a transposed view " + name(c),
                            () -> GradCheck.check(t -> t[0].transpose(2, 3).conv2d(t[1], null, g), xT, w)),
                    dynamicTest("conv2dInputGrad " + name(c),
                            () -> GradCheck.check(t -> Tensor.conv2dInputGrad(t[0], t[1], g), gy, w)),
                    dynamicTest("conv2dWeightGrad " + name(c),
                            () -> GradCheck.check(t -> Tensor.conv2dWeightGrad(t[0], t[1], g), gy, x)));
        });
    }
}
