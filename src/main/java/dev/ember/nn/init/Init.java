package dev.ember.nn.init;

import dev.ember.autograd.GradMode;
import dev.ember.core.ShapeException;
import dev.ember.tensor.Tensor;

/**
 * Weight initialisations ({@code torch.nn.init}). All draw from the global generator in PyTorch's
 * order, so a model built after the same seed starts from PyTorch's weights.
 */
public final class Init {
    private Init() {
    }

    /** Fan-in and fan-out of a weight: [out, in] or [out, in, kH, kW] (receptive field multiplies both). */
    public record Fans(int in, int out) {
    }

    public static Fans fans(Tensor w) {
        if (w.dim() < 2) {
            throw new ShapeException("fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got "
                    + w.shape());
        }
        int receptive = 1;
        for (int d = 2; d < w.dim(); d++) {
            receptive *= w.size(d);
        }
        return new Fans(w.size(1) * receptive, w.size(0) * receptive);
    }

    /** The recommended gain of {@code calculate_gain} for relu, leaky_relu(a), tanh, sigmoid and linear. */
    public static double gain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv2d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            default -> throw new IllegalArgumentException("unsupported nonlinearity " + nonlinearity);
        };
    }

    public static Tensor uniform(Tensor t, double from, double to) {
        try (var off = GradMode.noGrad()) {
            return t.uniformInPlace(from, to);
        }
    }

    public static Tensor normal(Tensor t, double mean, double std) {
        try (var off = GradMode.noGrad()) {
            return t.normalInPlace(mean, std);
        }
    }

    public static Tensor constant(Tensor t, double value) {
        try (var off = GradMode.noGrad()) {
            return t.fillInPlace(value);
        }
    }

    /** {@code kaiming_uniform_(t, a, mode='fan_in', nonlinearity='leaky_relu')}: bound = gain·sqrt(3/fan_in). */
    public static Tensor kaimingUniform(Tensor t, double a) {
        double std = gain("leaky_relu", a) / Math.sqrt(fans(t).in());
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound);
    }

    /** {@code kaiming_normal_(t, a=0, mode='fan_in', nonlinearity='relu')}. */
    public static Tensor kaimingNormal(Tensor t) {
        return normal(t, 0, gain("relu", 0) / Math.sqrt(fans(t).in()));
    }

    /** Which fan {@link #kaimingNormal(Tensor, FanMode, String)} scales by: {@code mode='fan_in'} or {@code 'fan_out'}. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /**
     * {@code kaiming_normal_(t, a=0, mode, nonlinearity)}: std = gain/sqrt(fan). torchvision's ResNet
     * uses FAN_OUT with relu for its convolutions.
     */
    public static Tensor kaimingNormal(Tensor t, FanMode mode, String nonlinearity) {
        Fans f = fans(t);
        int fan = mode == FanMode.FAN_IN ? f.in() : f.out();
        return normal(t, 0, gain(nonlinearity, 0) / Math.sqrt(fan));
    }

    /** {@code xavier_uniform_(t, gain)}: bound = gain·sqrt(6/(fan_in+fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain) {
        Fans f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f.in() + f.out()));
        return uniform(t, -bound, bound);
    }

    /**
     * PyTorch's default for Linear and Conv2d: weight kaiming-uniform with a = sqrt(5) (bound 1/sqrt(fan_in)),
     * then bias uniform in ±1/sqrt(fan_in).
     */
    public static void defaultLayerInit(Tensor weight, Tensor bias) {
        kaimingUniform(weight, Math.sqrt(5));
        if (bias != null) {
            int fanIn = fans(weight).in();
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform(bias, -bound, bound);
        }
    }
}
