package dev.ember.nn;

import static dev.ember.nn.FiniteDiff.assign;
import static dev.ember.nn.FiniteDiff.check;
import static dev.ember.nn.FiniteDiff.distinct;
import static dev.ember.nn.FiniteDiff.leaf;
import static dev.ember.nn.FiniteDiff.uniform;

import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Autograd against central differences for every layer, with respect to the input and to every
 * parameter. Inputs to piecewise layers (ReLU, max pooling) are kept away from their kinks.
 */
class LayerGradientTest {

    private static List<Tensor> with(Tensor x, Module m) {
        List<Tensor> all = new ArrayList<>();
        all.add(x);
        all.addAll(m.parameters());
        return all;
    }

    private static void checkModule(String what, Module m, Tensor x) {
        check(what, () -> m.forward(x), with(x, m));
    }

    @Test
    void linearWithAndWithoutBias() {
        Generator.manualSeed(1);
        Linear withBias = new Linear(4, 3);
        checkModule("Linear(4, 3)", withBias, leaf(uniform(1, -1, 1, 5, 4)));
        Linear noBias = new Linear(4, 3, false);
        checkModule("Linear(4, 3, bias=False)", noBias, leaf(uniform(2, -1, 1, 5, 4)));
        // leading batch dims are folded into one matmul
        checkModule("Linear on [2, 3, 4]", withBias, leaf(uniform(3, -1, 1, 2, 3, 4)));
        // a single vector
        checkModule("Linear on [4]", withBias, leaf(uniform(4, -1, 1, 4)));
    }

    @Test
    void conv2dStridePaddingDilation() {
        Generator.manualSeed(2);
        checkModule("Conv2d(2, 3, 3)", new Conv2d(2, 3, 3), leaf(uniform(10, -1, 1, 2, 2, 6, 5)));
        checkModule("Conv2d stride 2 padding 1", Conv2d.builder(2, 3, 3).stride(2).padding(1).build(),
                leaf(uniform(11, -1, 1, 2, 2, 7, 6)));
        checkModule("Conv2d dilation 2 padding 2", Conv2d.builder(2, 2, 3).dilation(2).padding(2).build(),
                leaf(uniform(12, -1, 1, 1, 2, 6, 7)));
        checkModule("Conv2d kernel (2, 3) stride 2 no bias", Conv2d.builder(3, 2, 1).kernel(2, 3).stride(2)
                .bias(false).build(), leaf(uniform(13, -1, 1, 2, 3, 5, 7)));
        checkModule("Conv2d all together", Conv2d.builder(1, 2, 3).stride(2).padding(1).dilation(2).build(),
                leaf(uniform(14, -1, 1, 1, 1, 8, 7)));
    }

    @Test
    void maxPool2d() {
        checkModule("MaxPool2d(2)", new MaxPool2d(2), leaf(distinct(20, 0.05, 2, 3, 4, 6)));
        checkModule("MaxPool2d(3, 2, 1)", new MaxPool2d(3, 2, 1), leaf(distinct(21, 0.05, 2, 2, 7, 6)));
        // overlapping windows: one input can be the max of several windows and collects all their gradients
        checkModule("MaxPool2d(3, 1, 1)", new MaxPool2d(3, 1, 1), leaf(distinct(22, 0.05, 1, 2, 5, 5)));
        // odd sizes: the last row/column is dropped (floor mode)
        checkModule("MaxPool2d(2) on 5x5", new MaxPool2d(2), leaf(distinct(23, 0.05, 1, 1, 5, 5)));
    }

    @Test
    void avgPool2dIncludingPadding() {
        checkModule("AvgPool2d(2)", new AvgPool2d(2), leaf(uniform(30, -1, 1, 2, 3, 4, 6)));
        checkModule("AvgPool2d(3, 2, 1)", new AvgPool2d(3, 2, 1), leaf(uniform(31, -1, 1, 2, 2, 7, 6)));
        checkModule("AvgPool2d(3, 1, 1)", new AvgPool2d(3, 1, 1), leaf(uniform(32, -1, 1, 1, 2, 5, 5)));
    }

    @Test
    void adaptiveAvgPool2dIncludingNonDivisibleSizes() {
        checkModule("AdaptiveAvgPool2d(1, 1)", new AdaptiveAvgPool2d(1, 1), leaf(uniform(40, -1, 1, 2, 3, 5, 4)));
        checkModule("AdaptiveAvgPool2d(2, 2) of 4x6", new AdaptiveAvgPool2d(2, 2), leaf(uniform(41, -1, 1, 2, 2, 4, 6)));
        checkModule("AdaptiveAvgPool2d(3, 2) of 5x7", new AdaptiveAvgPool2d(3, 2), leaf(uniform(42, -1, 1, 2, 2, 5, 7)));
        checkModule("AdaptiveAvgPool2d(4, 3) of 5x5 (overlapping cells)", new AdaptiveAvgPool2d(4, 3),
                leaf(uniform(43, -1, 1, 1, 2, 5, 5)));
        checkModule("AdaptiveAvgPool2d(5, 6) upsampling 3x4", new AdaptiveAvgPool2d(5, 6),
                leaf(uniform(44, -1, 1, 1, 1, 3, 4)));
        checkModule("AdaptiveAvgPool2d(3, 4) of 3x4 (a pixel a cell)", new AdaptiveAvgPool2d(3, 4),
                leaf(uniform(45, -1, 1, 2, 2, 3, 4)));
    }

    private static void randomAffine(BatchNorm bn, int c, long seed) {
        assign(bn.namedParameters().get("weight"), uniform(seed, 0.5, 1.5, c));
        assign(bn.namedParameters().get("bias"), uniform(seed + 1, -0.5, 0.5, c));
    }

    @Test
    void batchNormTrainingMode() {
        BatchNorm1d bn1 = new BatchNorm1d(3);
        randomAffine(bn1, 3, 50);
        // training-mode batch norm is not linear in x: h=1e-3 keeps the truncation error small
        Tensor x1 = leaf(uniform(51, -2, 2, 6, 3));
        check("BatchNorm1d train", () -> bn1.forward(x1), with(x1, bn1), 1e-3, 2e-3, 1e-2);

        Tensor x3 = leaf(uniform(54, -2, 2, 3, 3, 2));
        check("BatchNorm1d train on [N, C, L]", () -> bn1.forward(x3), with(x3, bn1), 1e-3, 2e-3, 1e-2);

        BatchNorm2d bn2 = new BatchNorm2d(2);
        randomAffine(bn2, 2, 52);
        Tensor x2 = leaf(uniform(53, -2, 2, 3, 2, 3, 2));
        check("BatchNorm2d train", () -> bn2.forward(x2), with(x2, bn2), 1e-3, 2e-3, 1e-2);

        Tensor x4 = leaf(uniform(55, -2, 2, 4, 3, 2));
        check("batch_norm without weight, bias or running statistics",
                () -> F.batchNorm(x4, null, null, null, null, true, 0.1, 1e-5), List.of(x4), 1e-3, 2e-3, 1e-2);
    }

    @Test
    void batchNormEvalMode() {
        BatchNorm1d bn1 = new BatchNorm1d(3);
        randomAffine(bn1, 3, 60);
        assign(bn1.runningMean(), uniform(61, -1, 1, 3));
        assign(bn1.runningVar(), uniform(62, 0.5, 2, 3));
        bn1.eval();
        checkModule("BatchNorm1d eval", bn1, leaf(uniform(63, -2, 2, 4, 3)));

        BatchNorm2d bn2 = new BatchNorm2d(2);
        randomAffine(bn2, 2, 64);
        assign(bn2.runningMean(), uniform(65, -1, 1, 2));
        assign(bn2.runningVar(), uniform(66, 0.5, 2, 2));
        bn2.eval();
        checkModule("BatchNorm2d eval", bn2, leaf(uniform(67, -2, 2, 2, 2, 3, 3)));
    }

    @Test
    void flatten() {
        checkModule("Flatten()", new Flatten(), leaf(uniform(70, -1, 1, 2, 3, 2, 2)));
        checkModule("Flatten(0, 2)", new Flatten(0, 2), leaf(uniform(71, -1, 1, 2, 3, 2, 2)));
        // a non-contiguous input goes through reshape's copy
        Tensor x = leaf(uniform(72, -1, 1, 3, 4, 2));
        check("Flatten of a transposed view", () -> new Flatten().forward(x.transpose(0, 2)), List.of(x));
    }

    @Test
    void activations() {
        Tensor x = leaf(distinct(80, 0.05, 4, 5));
        checkModule("ReLU", new ReLU(), x);
        checkModule("LeakyReLU(0.1)", new LeakyReLU(0.1), x);
        checkModule("LeakyReLU()", new LeakyReLU(), x);
        checkModule("Identity", new Identity(), x);
        Tensor wide = leaf(uniform(81, -4, 4, 4, 5));
        checkModule("Sigmoid", new Sigmoid(), wide);
        checkModule("Tanh", new Tanh(), wide);
    }

    @Test
    void softmaxAndLogSoftmax() {
        Tensor x = leaf(uniform(90, -3, 3, 4, 5));
        checkModule("Softmax(1)", new Softmax(1), x);
        checkModule("LogSoftmax(1)", new LogSoftmax(1), x);
        checkModule("Softmax(0)", new Softmax(0), x);
        Tensor x3 = leaf(uniform(91, -3, 3, 2, 3, 4));
        checkModule("Softmax(-1) on 3-D", new Softmax(-1), x3);
        checkModule("LogSoftmax(1) on 3-D", new LogSoftmax(1), x3);
        // large logits: the max is subtracted, so nothing overflows and gradients stay finite
        Tensor big = leaf(uniform(92, 80, 100, 3, 4));
        checkModule("LogSoftmax(1) of large logits", new LogSoftmax(1), big);
    }

    @Test
    void dropoutUnderAFixedSeed() {
        Tensor x = leaf(uniform(95, -1, 1, 6, 7));
        Dropout d = new Dropout(0.3);
        check("Dropout(0.3) train", () -> {
            Generator.manualSeed(5);
            return d.forward(x);
        }, List.of(x));
    }

    @Test
    void sequentialModel() {
        Generator.manualSeed(3);
        Sequential net = new Sequential(
                Conv2d.builder(1, 2, 3).padding(1).build(),
                new BatchNorm2d(2),
                new Tanh(),
                new AvgPool2d(2),
                new Flatten(),
                new Linear(8, 5),
                new Sigmoid(),
                new Linear(5, 3),
                new LogSoftmax(1));
        Tensor x = leaf(uniform(100, -1, 1, 3, 1, 4, 4));
        check("Sequential(conv, bn, tanh, pool, flatten, linear, sigmoid, linear, log_softmax)",
                () -> net.forward(x), with(x, net), 1e-3, 2e-3, 1e-2);
        net.eval();
        checkModule("the same Sequential in eval mode", net, x);
    }
}
