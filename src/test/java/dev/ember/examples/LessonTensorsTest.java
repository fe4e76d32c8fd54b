package dev.ember.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

/** The numbers the PyTorch lesson prints ("Part 1 - Tensors in PyTorch", seed 7), computed with Ember. */
class LessonTensorsTest {

    @Test
    void singleNeuron() {
        Generator.manualSeed(7);
        Tensor features = Tensor.randn(1, 5);
        Tensor weights = Tensor.randnLike(features);
        Tensor bias = Tensor.randn(1, 1);
        assertEquals("tensor([[-0.1468,  0.7861,  0.9468, -1.1143,  1.6908]])", features.toString());
        assertEquals("tensor([[-0.8948, -0.3556,  1.2324,  0.1382, -1.6822]])", weights.toString());
        assertEquals("tensor([[0.3177]])", bias.toString());

        Tensor y = LessonTensors.activation(features.mul(weights).sum().add(bias));
        assertEquals("tensor([[0.1595]])", y.toString());
        Tensor yMm = LessonTensors.activation(features.mm(weights.view(5, 1)).add(bias));
        assertEquals("tensor([[0.1595]])", yMm.toString());
        assertEquals(y.item(), yMm.item(), 1e-6);
        // the lesson's activation is the sigmoid
        assertEquals(features.mm(weights.view(5, 1)).add(bias).sigmoid().item(), yMm.item(), 1e-6);
    }

    @Test
    void twoLayerNetwork() {
        Generator.manualSeed(7);
        Tensor x = Tensor.randn(1, 3);
        Tensor w1 = Tensor.randn(3, 2);
        Tensor w2 = Tensor.randn(2, 1);
        Tensor b1 = Tensor.randn(1, 2);
        Tensor b2 = Tensor.randn(1, 1);
        Tensor h = LessonTensors.activation(x.mm(w1).add(b1));
        Tensor output = LessonTensors.activation(h.mm(w2).add(b2));
        assertEquals("tensor([[0.3171]])", output.toString());
    }

    @Test
    void wrappedArraysShareMemory() {
        float[] a = {0.5f, 0.25f, 0.125f};
        Tensor.wrap(a, 3).mulInPlace(2);
        assertEquals(1f, a[0]);
        assertEquals(0.25f, a[2]);
    }
}
