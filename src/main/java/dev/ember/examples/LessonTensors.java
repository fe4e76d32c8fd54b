package dev.ember.examples;

import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;

/**
 * The first examples of the PyTorch lesson Ember grew from ("Part 1 - Tensors in PyTorch"), written
 * with Ember: a single sigmoid neuron on random features, then a two-layer network with {@code mm}.
 * With the same seed the numbers are PyTorch's.
 */
public final class LessonTensors {
    private LessonTensors() {
    }

    /** The lesson's activation: 1 / (1 + exp(-x)). */
    static Tensor activation(Tensor x) {
        return x.neg().exp().add(1).reciprocal();
    }

    public static void main(String[] args) {
        // torch.manual_seed(7); features = torch.randn((1, 5)); weights = torch.randn_like(features); bias = torch.randn((1, 1))
        Generator.manualSeed(7);
        Tensor features = Tensor.randn(1, 5);
        Tensor weights = Tensor.randnLike(features);
        Tensor bias = Tensor.randn(1, 1);
        System.out.println("features = " + features);
        System.out.println("weights  = " + weights);
        System.out.println("bias     = " + bias);

        // y = activation(torch.sum(features * weights) + bias)
        Tensor y = activation(features.mul(weights).sum().add(bias));
        System.out.println("single neuron, sum:  " + y);
        // y = activation(torch.mm(features, weights.view(5, 1)) + bias)
        Tensor yMm = activation(features.mm(weights.view(5, 1)).add(bias));
        System.out.println("single neuron, mm:   " + yMm);

        // torch.manual_seed(7); features = torch.randn((1, 3)); two layers 3 -> 2 -> 1
        Generator.manualSeed(7);
        Tensor x = Tensor.randn(1, 3);
        int nInput = x.size(1);
        int nHidden = 2;
        int nOutput = 1;
        Tensor w1 = Tensor.randn(nInput, nHidden);
        Tensor w2 = Tensor.randn(nHidden, nOutput);
        Tensor b1 = Tensor.randn(1, nHidden);
        Tensor b2 = Tensor.randn(1, nOutput);
        Tensor h = activation(x.mm(w1).add(b1));
        Tensor output = activation(h.mm(w2).add(b2));
        System.out.println("two-layer output:    " + output);

        // from_numpy: a Java array and a tensor share memory
        float[] a = {0.5f, 0.25f, 0.125f};
        Tensor t = Tensor.wrap(a, 3);
        t.mulInPlace(2);
        System.out.println("array after t.mul_(2): " + java.util.Arrays.toString(a));
    }
}
