package dev.ember.models;

import dev.ember.autograd.GradMode;
import dev.ember.nn.BatchNorm;
import dev.ember.nn.BatchNorm2d;
import dev.ember.nn.Dropout;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module.freeze / unfreeze by path, frozen BatchNorm staying in eval mode, train(mode) reaching overrides. */
class FreezeTest {

    private static ResNet tinyResNet() {
        Generator.manualSeed(7);
        return new ResNet(new int[] {1, 1, 1, 1}, 8, 4, 3);
    }

    private static long trainableCount(Module m) {
        return m.trainableParameters().stream().mapToLong(Tensor::numel).sum();
    }

    private static long countUnder(Module m, String... paths) {
        long n = 0;
        for (var e : m.namedParameters().entrySet()) {
            for (String p : paths) {
                if (e.getKey().startsWith(p + ".")) {
                    n += e.getValue().numel();
                }
            }
        }
        return n;
    }

    private static void step(Module m) {
        Tensor x = Tensor.rand(4, 3, 16, 16);
        Tensor loss = F.crossEntropy(m.forward(x), Tensor.ofLongs(0, 1, 2, 3));
        loss.backward();
    }

    @Test
    void frozenLayersGetNoGradientAndTheCountDrops() {
        ResNet m = tinyResNet();
        long all = trainableCount(m);
        long frozen = countUnder(m, "layer1", "layer2");
        assertTrue(frozen > 0);
        m.freeze("layer1", "layer2");
        assertEquals(all - frozen, trainableCount(m));
        m.train();
        step(m);
        for (var e : m.namedParameters().entrySet()) {
            boolean isFrozen = e.getKey().startsWith("layer1.") || e.getKey().startsWith("layer2.");
            assertEquals(!isFrozen, e.getValue().requiresGrad(), e.getKey());
            if (isFrozen) {
                assertNull(e.getValue().grad(), e.getKey() + " is frozen but got a gradient");
            } else {
                assertNotNull(e.getValue().grad(), e.getKey() + " should get a gradient");
            }
        }
        m.unfreeze("layer1");
        assertEquals(all - countUnder(m, "layer2"), trainableCount(m));
        m.unfreeze();
        assertEquals(all, trainableCount(m));
    }

    @Test
    void frozenBatchNormKeepsItsStatisticsWhileTheRestTrains() {
        ResNet m = tinyResNet();
        m.freeze("conv1", "bn1", "layer1");
        m.train();
        BatchNorm frozenBn = (BatchNorm) m.getSubmodule("layer1.0.bn2");
        BatchNorm liveBn = (BatchNorm) m.getSubmodule("layer2.0.bn1");
        assertTrue(frozenBn.isFrozen());
        assertFalse(frozenBn.isTraining(), "a frozen BatchNorm stays in eval mode after train()");
        assertFalse(((BatchNorm) m.getSubmodule("bn1")).isTraining());
        assertTrue(liveBn.isTraining());
        assertTrue(m.isTraining());
        Map<String, Tensor> before = copyBuffers(m);
        step(m);
        step(m);
        for (var e : m.namedBuffers().entrySet()) {
            boolean isFrozen = e.getKey().startsWith("bn1.") || e.getKey().startsWith("layer1.");
            float[] old = before.get(e.getKey()).toFloatArray();
            float[] now = e.getValue().toFloatArray();
            if (isFrozen) {
                assertArrayEquals(old, now, e.getKey() + " changed although frozen");
            } else {
                assertNotEquals(java.util.Arrays.toString(old), java.util.Arrays.toString(now), e.getKey() + " did not update");
            }
        }
        assertEquals(0, m.namedBuffers().get("layer1.0.bn1.num_batches_tracked").item());
        assertEquals(2, m.namedBuffers().get("layer2.0.bn1.num_batches_tracked").item());

        m.unfreeze("layer1");
        assertFalse(frozenBn.isFrozen());
        assertFalse(frozenBn.isTraining(), "unfreezing leaves the mode until the next train()");
        m.train();
        assertTrue(frozenBn.isTraining());
        assertFalse(((BatchNorm) m.getSubmodule("bn1")).isTraining(), "bn1 is still frozen");
    }

    private static Map<String, Tensor> copyBuffers(Module m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.namedBuffers().forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    @Test
    void freezeWithoutPathsFreezesEverythingAndEvalStillWorks() {
        ResNet m = tinyResNet();
        m.freeze();
        assertEquals(0, trainableCount(m));
        m.train();
        assertTrue(m.namedModules().values().stream().filter(x -> x instanceof BatchNorm).noneMatch(Module::isTraining));
        m.eval();
        m.train();
        assertTrue(m.isTraining());
        try (var off = GradMode.noGrad()) {
            assertArrayEquals(new int[] {2, 4}, m.forward(Tensor.rand(2, 3, 16, 16)).shape().toArray());
        }
    }

    @Test
    void freezeAcceptsParameterPathsAndRejectsUnknownOnes() {
        ResNet m = tinyResNet();
        m.freeze("fc.bias");
        assertFalse(m.namedParameters().get("fc.bias").requiresGrad());
        assertTrue(m.namedParameters().get("fc.weight").requiresGrad());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.freeze("layer5"));
        assertTrue(e.getMessage().contains("'layer5' is neither a submodule nor a parameter"), e.getMessage());
        assertTrue(e.getMessage().contains("layer4"), e.getMessage());
        // a prefix of a name is not a path: "layer" must not freeze layer1..layer4
        assertThrows(IllegalArgumentException.class, () -> m.freeze("layer"));
        assertTrue(m.namedParameters().get("layer1.0.conv1.weight").requiresGrad());
    }

    @Test
    void trainReachesOverridesInNestedModules() {
        BatchNorm2d bn = new BatchNorm2d(3);
        NamedSequential inner = new NamedSequential().add("bn", bn).add("drop", new Dropout(0.5));
        NamedSequential outer = new NamedSequential().add("block", inner).add("head", new Linear(3, 2));
        bn.setFrozen(true);
        outer.train();
        assertFalse(bn.isTraining());
        assertTrue(inner.child("drop").isTraining());
        assertTrue(bn.toString().contains("frozen=True"));
        outer.eval();
        assertFalse(inner.child("drop").isTraining());
        bn.setFrozen(false);
        outer.train(true);
        assertTrue(bn.isTraining());
    }

    @Test
    void transferLearningRecipe() {
        // pretrained backbone: freeze it, new head, only the head trains, BN statistics stay put
        ResNet backbone = tinyResNet();
        Map<String, Tensor> pretrained = backbone.stateDict();
        ResNet m = tinyResNet();
        m.setChild("fc", new Linear(m.featureWidth(), 2));
        PretrainedWeights.LoadReport r = PretrainedWeights.of(pretrained).without("fc").loadInto(m, false);
        assertEquals(java.util.List.of("fc.weight", "fc.bias"), r.missingKeys());
        m.freeze();
        m.unfreeze("fc");
        assertEquals(m.featureWidth() * 2 + 2, trainableCount(m));
        m.train();
        Tensor mean = m.namedBuffers().get("layer3.0.bn1.running_mean").clone();
        Tensor loss = F.crossEntropy(m.forward(Tensor.rand(2, 3, 16, 16)), Tensor.ofLongs(0, 1));
        loss.backward();
        assertNotNull(m.namedParameters().get("fc.weight").grad());
        assertNull(m.namedParameters().get("layer4.0.conv2.weight").grad());
        assertArrayEquals(mean.toFloatArray(), m.namedBuffers().get("layer3.0.bn1.running_mean").toFloatArray());
    }
}
