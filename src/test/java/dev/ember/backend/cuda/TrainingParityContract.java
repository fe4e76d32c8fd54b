package dev.ember.backend.cuda;

import dev.ember.core.Device;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A few training steps of a small CNN through the Tensor façade, on the CPU and on cuda:0: the
 * façade's own mix of ops, dtypes and layouts (im2col, pooling, batch norm, cross entropy's gather,
 * SGD in place) must give the same losses and weights on both. Subclasses say what cuda:0 is.
 */
abstract class TrainingParityContract {
    static final Device CUDA = Device.cuda(0);

    private static Module model() {
        return new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new BatchNorm2d(4), new ReLU(),
                new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 16), new ReLU(), new Linear(16, 3));
    }

    /** Losses of each step, then every parameter's values after the last one. */
    private static List<float[]> train(Device device) {
        Generator.global().manualSeed(7);
        Module net = model().to(device);
        Tensor x = Tensor.randn(8, 1, 8, 8).to(device);
        Tensor y = Tensor.ofLongs(0, 2, 1, 1, 0, 2, 2, 1).to(device);
        Optimizer opt = SGD.builder(net.parameters(), 0.1).momentum(0.9).build();
        List<float[]> out = new ArrayList<>();
        float[] losses = new float[4];
        for (int step = 0; step < losses.length; step++) {
            opt.zeroGrad();
            Tensor loss = new CrossEntropyLoss().apply(net.forward(x), y);
            loss.backward();
            opt.step();
            losses[step] = (float) loss.item();
        }
        assertEquals(device, net.parameters().get(0).grad().device(), "trained where asked");
        out.add(losses);
        for (Tensor p : net.parameters()) {
            out.add(p.toFloatArray());
        }
        return out;
    }

    @Test
    void aSmallCnnTrainsTheSameOnBothDevices() {
        List<float[]> cpu = train(Device.cpu());
        List<float[]> gpu = train(CUDA);
        assertEquals(cpu.size(), gpu.size());
        for (int t = 0; t < cpu.size(); t++) {
            float[] e = cpu.get(t);
            float[] a = gpu.get(t);
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-4 * Math.max(1, Math.abs(e[i])),
                        (t == 0 ? "loss of step " : "parameter " + (t - 1) + " element ") + i);
            }
        }
    }
}
