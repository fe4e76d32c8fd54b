package dev.ember.nn;

import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The torch.nn.Module API: names and order, state dicts, freezing, modes, apply, printing. */
class ModuleApiTest {

    /** A model with named children, as a user would write one. */
    static final class Net extends Module {
        final Sequential features;
        final Linear fc;

        Net() {
            features = registerModule("features", new Sequential(
                    Conv2d.builder(1, 2, 3).padding(1).build(), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2)));
            registerModule("flatten", new Flatten());
            fc = registerModule("fc", new Linear(8, 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(child("flatten").forward(features.forward(x)));
        }
    }

    private static List<String> keys(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }

    @Test
    void sequentialNamesAsTorch() {
        Sequential net = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys(net.namedParameters()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys(net.stateDict()));
        assertEquals(4, net.parameters().size());
        assertSame(net.get(0), net.namedChildren().get("0"));
        assertEquals(3, net.size());
    }

    @Test
    void nestedNamesParametersThenBuffersThenChildren() {
        Net net = new Net();
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                "fc.weight", "fc.bias"), keys(net.namedParameters()));
        assertEquals(List.of("features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"),
                keys(net.namedBuffers()));
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
                "fc.weight", "fc.bias"), keys(net.stateDict()));
        Map<String, Tensor> sd = net.stateDict();
        assertFalse(sd.get("fc.weight").requiresGrad(), "state dict tensors are detached");
        assertEquals(DType.INT64, sd.get("features.1.num_batches_tracked").dtype());
        assertEquals(0, sd.get("features.1.num_batches_tracked").dim());
    }

    @Test
    void sharedModulesAreListedOnce() {
        Linear shared = new Linear(2, 2);
        Sequential net = new Sequential(shared, new ReLU(), shared);
        // torch: named_parameters() yields each tensor once, under its first name
        assertEquals(List.of("0.weight", "0.bias"), keys(net.namedParameters()));
        assertEquals(2, net.parameters().size());
        // state_dict() keeps every name
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys(net.stateDict()));
    }

    @Test
    void stateDictRoundTripCopiesInPlace() {
        Generator.manualSeed(1);
        Net a = new Net();
        a.forward(uniform(1, -1, 1, 2, 1, 4, 4));
        Generator.manualSeed(2);
        Net b = new Net();
        Tensor fcWeight = b.fc.weight();
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        assertSame(fcWeight, b.fc.weight(), "parameters are updated in place, so optimizers keep them");
        assertTrue(fcWeight.requiresGrad());
        for (var e : a.stateDict().entrySet()) {
            Tensor mine = b.stateDict().get(e.getKey());
            assertEquals(e.getValue().dtype(), mine.dtype(), e.getKey());
            if (mine.dtype() == DType.INT64) {
                assertArrayEquals(e.getValue().toLongArray(), mine.toLongArray(), e.getKey());
            } else {
                assertArrayEquals(e.getValue().toFloatArray(), mine.toFloatArray(), e.getKey());
            }
        }
        assertEquals(1L, b.stateDict().get("features.1.num_batches_tracked").item());
        Tensor x = uniform(3, -1, 1, 2, 1, 4, 4);
        a.eval();
        b.eval();
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }

    @Test
    void strictLoadListsEveryProblem() {
        Sequential net = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        sd.remove("0.bias");
        sd.put("2.weight", Tensor.zeros(2, 4));
        sd.put("extra.weight", Tensor.zeros(1));
        float[] before = net.get(0).namedParameters().get("weight").toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd, true));
        String msg = e.getMessage();
        assertTrue(msg.contains("missing") && msg.contains("0.bias"), msg);
        assertTrue(msg.contains("unexpected") && msg.contains("extra.weight"), msg);
        assertTrue(msg.contains("size mismatch") && msg.contains("2.weight") && msg.contains("[2, 4]")
                && msg.contains("[2, 3]"), msg);
        assertArrayEquals(before, net.get(0).namedParameters().get("weight").toFloatArray(), "nothing loaded on error");
    }

    @Test
    void nonStrictLoadReportsMissingAndUnexpected() {
        Sequential net = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("0.weight", Tensor.full(0.5, 3, 4));
        sd.put("head.bias", Tensor.zeros(2));
        Module.LoadResult r = net.loadStateDict(sd, false);
        assertEquals(List.of("0.bias", "2.weight", "2.bias"), r.missingKeys());
        assertEquals(List.of("head.bias"), r.unexpectedKeys());
        assertArrayEquals(Tensor.full(0.5, 3, 4).toFloatArray(), net.stateDict().get("0.weight").toFloatArray());

        // shape mismatches are errors even when not strict, as in torch
        Map<String, Tensor> bad = Map.of("0.weight", Tensor.zeros(4, 3));
        assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(bad, false));
    }

    @Test
    void requiresGradFalseFreezesASubtree() {
        Generator.manualSeed(4);
        Sequential net = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 4), new Tanh(), new Linear(4, 2));
        net.get(2).requiresGrad(false);
        assertEquals(4, net.trainableParameters().size());
        net.forward(uniform(5, -1, 1, 5, 3)).sum().backward();
        assertNull(net.get(2).namedParameters().get("weight").grad(), "frozen weight gets no grad");
        assertNull(net.get(2).namedParameters().get("bias").grad(), "frozen bias gets no grad");
        assertNotNull(net.get(0).namedParameters().get("weight").grad(), "gradients still flow through a frozen layer");
        assertNotNull(net.get(4).namedParameters().get("bias").grad());

        net.zeroGrad();
        net.requiresGrad(true);
        net.forward(uniform(5, -1, 1, 5, 3)).sum().backward();
        assertNotNull(net.get(2).namedParameters().get("weight").grad(), "unfrozen again");
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Net net = new Net();
        List<Module> all = new ArrayList<>();
        net.apply(all::add);
        assertTrue(all.stream().allMatch(Module::isTraining), "modules start in training mode");
        assertSame(net, net.eval());
        assertTrue(all.stream().noneMatch(Module::isTraining));
        net.features.train();
        assertTrue(net.features.get(1).isTraining() && net.features.isTraining());
        assertFalse(net.isTraining() || net.fc.isTraining(), "train() on a subtree leaves the rest alone");
        net.train(true);
        assertTrue(all.stream().allMatch(Module::isTraining));
    }

    /** A block that keeps its BatchNorm frozen, as fine-tuning code does by overriding train(). */
    static final class FrozenNormBlock extends Module {
        FrozenNormBlock() {
            registerModule("fc", new Linear(2, 2));
            registerModule("bn", new BatchNorm1d(2));
        }

        @Override
        public Module train(boolean mode) {
            super.train(mode);
            child("bn").eval();
            return this;
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("bn").forward(child("fc").forward(x));
        }
    }

    @Test
    void trainCallsEachChildsOwnTrain() {
        // torch's Module.train(mode) calls module.train(mode) on every child, so overrides take effect
        Sequential net = new Sequential(new FrozenNormBlock(), new ReLU());
        net.eval();
        net.train();
        Module block = net.get(0);
        assertTrue(net.isTraining() && block.isTraining() && block.child("fc").isTraining());
        assertFalse(block.child("bn").isTraining(), "the block's train() override kept its BatchNorm in eval");
        net.train(true);
        assertFalse(block.child("bn").isTraining());
    }

    @Test
    void applyVisitsChildrenBeforeTheirParent() {
        Linear a = new Linear(1, 1);
        ReLU b = new ReLU();
        Linear c = new Linear(1, 1);
        Sequential inner = new Sequential(b, c);
        Sequential outer = new Sequential(a, inner);
        List<Module> order = new ArrayList<>();
        assertSame(outer, outer.apply(order::add));
        assertEquals(List.of(a, b, c, inner, outer), order);
    }

    @Test
    void reprLikeTorch() {
        Sequential net = new Sequential(
                Conv2d.builder(1, 8, 3).padding(1).build(),
                new BatchNorm2d(8),
                new ReLU(),
                new MaxPool2d(2),
                new Dropout(0.25),
                new Flatten(),
                new Linear(128, 10),
                new LogSoftmax(1));
        assertEquals(String.join("\n",
                "Sequential(",
                "  (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
                "  (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                "  (2): ReLU()",
                "  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
                "  (4): Dropout(p=0.25, inplace=False)",
                "  (5): Flatten(start_dim=1, end_dim=-1)",
                "  (6): Linear(in_features=128, out_features=10, bias=True)",
                "  (7): LogSoftmax(dim=1)",
                ")"), net.toString());

        assertEquals(String.join("\n",
                "Net(",
                "  (features): Sequential(",
                "    (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
                "    (1): BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                "    (2): ReLU()",
                "    (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
                "  )",
                "  (flatten): Flatten(start_dim=1, end_dim=-1)",
                "  (fc): Linear(in_features=8, out_features=3, bias=True)",
                ")"), new Net().toString());

        assertEquals("Conv2d(3, 4, kernel_size=(2, 5), stride=(2, 2), dilation=(2, 2), bias=False)",
                Conv2d.builder(3, 4, 1).kernel(2, 5).stride(2).dilation(2).bias(false).build().toString());
        assertEquals("Linear(in_features=2, out_features=3, bias=False)", new Linear(2, 3, false).toString());
        assertEquals("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                new BatchNorm1d(4).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).toString());
        assertEquals("AdaptiveAvgPool2d(output_size=(2, 3))", new AdaptiveAvgPool2d(2, 3).toString());
        assertEquals("LeakyReLU(negative_slope=0.01)", new LeakyReLU().toString());
        assertEquals("LeakyReLU(negative_slope=0.0001)", new LeakyReLU(1e-4).toString());
        assertEquals("Dropout(p=0.5, inplace=False)", new Dropout().toString());
        assertEquals("Softmax(dim=-1)", new Softmax(-1).toString());
        assertEquals("Sigmoid()", new Sigmoid().toString());
        assertEquals("Tanh()", new Tanh().toString());
        assertEquals("Identity()", new Identity().toString());
    }

    @Test
    void hyperparametersPrintAsPythonFloats() {
        String[][] cases = {
            {"1e-05", "1e-5"}, {"0.1", "0.1"}, {"100.0", "100"}, {"1e+16", "1e16"}, {"1000000000000000.0", "1e15"},
            {"1.5e-07", "1.5e-7"}, {"0.0001", "1e-4"}, {"0.00015", "1.5e-4"}, {"-2.5", "-2.5"}, {"0.0", "0"},
            {"0.3333333333333333", "0.3333333333333333"}, {"123456.789", "123456.789"}, {"inf", "Infinity"},
        };
        for (String[] c : cases) {
            assertEquals(c[0], Module.pyFloat(Double.parseDouble(c[1])), "repr(" + c[1] + ")");
        }
    }

    @Test
    void registrationRejectsBadNames() {
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerModule("a.b", new ReLU());
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("w", Tensor.zeros(1));
                registerBuffer("w", Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        });
        assertThrows(IllegalArgumentException.class, () -> new Sequential(new ReLU()).child("1"));
    }
}
