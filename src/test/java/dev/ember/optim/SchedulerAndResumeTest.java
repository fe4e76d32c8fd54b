package dev.ember.optim;

import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.io.SafeTensors;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** StepLR and CosineAnnealingLR against PyTorch's recursive rules; optimizer checkpoints resume exactly. */
class SchedulerAndResumeTest {

    private static Optimizer sgd(double lr) {
        return SGD.builder(List.of(Tensor.of(0f).requiresGrad(true)), lr).build();
    }

    /** torch's StepLR.get_lr, applied step after step from the base rate. */
    private static List<Double> torchStepLr(double base, int stepSize, double gamma, int epochs) {
        List<Double> out = new ArrayList<>();
        double lr = base;
        for (int e = 1; e <= epochs; e++) {
            if (e % stepSize == 0) {
                lr *= gamma;
            }
            out.add(lr);
        }
        return out;
    }

    /** torch's CosineAnnealingLR.get_lr (the recursive, chainable form), step after step. */
    private static List<Double> torchCosine(double base, int tMax, double etaMin, int epochs) {
        List<Double> out = new ArrayList<>();
        double lr = base;
        for (int e = 1; e <= epochs; e++) {
            if ((e - 1 - tMax) % (2 * tMax) == 0) {
                lr = lr + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            } else {
                lr = (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
            }
            out.add(lr);
        }
        return out;
    }

    private static void assertRates(List<Double> expected, Optimizer opt, LRScheduler s, String what) {
        for (int e = 0; e < expected.size(); e++) {
            s.step();
            assertEquals(e + 1, s.lastEpoch());
            assertEquals(expected.get(e), opt.lr(), 1e-12 * expected.get(0) + 1e-15, what + " epoch " + (e + 1));
        }
    }

    @Test
    void stepLr() {
        Optimizer opt = sgd(0.5);
        StepLR s = new StepLR(opt, 3, 0.1);
        assertEquals(0.5, opt.lr(), "epoch 0 keeps the base rate");
        assertRates(torchStepLr(0.5, 3, 0.1, 10), opt, s, "StepLR(3, 0.1)");
        Optimizer opt2 = sgd(1.0);
        StepLR s2 = new StepLR(opt2, 2, 0.5);
        double[] expected = {1.0, 0.5, 0.5, 0.25, 0.25, 0.125};
        for (double lr : expected) {
            s2.step();
            assertEquals(lr, opt2.lr(), 1e-15);
        }
        assertThrows(IllegalArgumentException.class, () -> new StepLR(sgd(1), 0, 0.1));
    }

    @Test
    void cosineAnnealingLrIncludingPastTMax() {
        Optimizer opt = sgd(0.1);
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 5, 0.01);
        // past T_max the rate climbs back (the cosine's period is 2·T_max), as in torch
        assertRates(torchCosine(0.1, 5, 0.01, 23), opt, s, "CosineAnnealingLR(5, 0.01)");
        Optimizer opt2 = sgd(0.1);
        CosineAnnealingLR s2 = new CosineAnnealingLR(opt2, 10, 0);
        for (int e = 1; e <= 10; e++) {
            s2.step();
            if (e == 5) {
                assertEquals(0.05, opt2.lr(), 1e-15, "half-way");
            }
        }
        assertEquals(0.0, opt2.lr(), 1e-15, "eta_min at T_max");
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd(1), 0, 0));
    }

    @Test
    void schedulerSetsTheRateTheNextStepUses() {
        Tensor p = Tensor.of(1f).requiresGrad(true);
        Optimizer opt = SGD.builder(List.of(p), 1.0).build();
        StepLR s = new StepLR(opt, 1, 0.5);
        float[] trace = new float[3];
        for (int e = 0; e < 3; e++) {
            p.setGrad(Tensor.of(0.1f));
            opt.step();
            s.step();
            trace[e] = p.toFloatArray()[0];
        }
        assertArrayEquals(new float[] {0.9f, 0.85f, 0.825f}, trace, 1e-7f);
        StepLR resumed = new StepLR(sgd(1.0), 1, 0.5);
        resumed.setLastEpoch(3);
        assertEquals(3, resumed.lastEpoch());
    }

    // ---------------------------------------------------------------- resume

    private static final Tensor X = uniform(1, -1, 1, 8, 3);
    private static final Tensor Y = Tensor.ofLongs(0, 1, 1, 0, 1, 0, 0, 1);

    private static Sequential model(long seed) {
        Generator.manualSeed(seed);
        return new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
    }

    private static void trainStep(Module m, Optimizer opt) {
        opt.zeroGrad();
        new CrossEntropyLoss().apply(m.forward(X), Y).backward();
        opt.step();
    }

    private static void assertResumesExactly(Function<List<Tensor>, Optimizer> make, List<String> stateNames) {
        Sequential a = model(1);
        Optimizer optA = make.apply(a.parameters());
        for (int i = 0; i < 3; i++) {
            trainStep(a, optA);
        }
        // checkpoint through safetensors bytes, as a trainer would write it
        byte[] modelBytes = SafeTensors.toBytes(a.stateDict(), Map.of());
        byte[] optBytes = SafeTensors.toBytes(optA.stateDict(), Map.of());
        for (String name : stateNames) {
            assertEquals(true, optA.stateDict().containsKey("state.0." + name), "state.0." + name);
        }
        assertEquals(4 * stateNames.size(), optA.stateDict().size(), "state for each of the 4 parameters");

        Sequential b = model(99);
        Optimizer optB = make.apply(b.parameters());
        b.loadStateDict(SafeTensors.read(modelBytes, "model").tensors(), true);
        optB.loadStateDict(SafeTensors.read(optBytes, "optimizer").tensors());

        for (int i = 0; i < 3; i++) {
            trainStep(a, optA);
            trainStep(b, optB);
            for (var e : a.stateDict().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), b.stateDict().get(e.getKey()).toFloatArray(),
                        optA.getClass().getSimpleName() + " resumed step " + i + ": " + e.getKey());
            }
        }
    }

    @Test
    void sgdWithMomentumResumesExactly() {
        assertResumesExactly(ps -> SGD.builder(ps, 0.1).momentum(0.9).weightDecay(1e-3).build(),
                List.of("momentum_buffer"));
    }

    @Test
    void adamAndAdamWResumeExactly() {
        assertResumesExactly(ps -> new Adam(ps, 0.01), List.of("step", "exp_avg", "exp_avg_sq"));
        assertResumesExactly(ps -> new AdamW(ps, 0.01), List.of("step", "exp_avg", "exp_avg_sq"));
    }

    @Test
    void withoutItsStateAnOptimizerDoesNotResume() {
        // the control for the tests above: a fresh Adam restarts its bias correction and moments
        Sequential a = model(1);
        Optimizer optA = new Adam(a.parameters(), 0.01);
        for (int i = 0; i < 3; i++) {
            trainStep(a, optA);
        }
        Sequential b = model(99);
        b.loadStateDict(a.stateDict(), true);
        Optimizer optB = new Adam(b.parameters(), 0.01);
        trainStep(a, optA);
        trainStep(b, optB);
        float[] wa = a.stateDict().get("0.weight").toFloatArray();
        float[] wb = b.stateDict().get("0.weight").toFloatArray();
        assertEquals(false, java.util.Arrays.equals(wa, wb));
    }

    @Test
    void loadStateDictCopiesAndValidates() {
        Tensor p = Tensor.of(1f, 2f).requiresGrad(true);
        Adam opt = new Adam(List.of(p), 0.1);
        p.setGrad(Tensor.of(1f, 1f));
        opt.step();
        Map<String, Tensor> saved = opt.stateDict();
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"), List.copyOf(saved.keySet()));
        assertEquals(1.0, saved.get("state.0.step").item());

        Tensor q = Tensor.of(1f, 2f).requiresGrad(true);
        Adam other = new Adam(List.of(q), 0.1);
        other.loadStateDict(saved);
        assertNotSame(saved.get("state.0.exp_avg"), other.stateDict().get("state.0.exp_avg"), "state is copied");
        saved.get("state.0.exp_avg").mulInPlace(0);
        assertEquals(0.1f, other.stateDict().get("state.0.exp_avg").toFloatArray()[0], 1e-7f,
                "later changes to the source do not leak in");

        assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(Map.of("exp_avg", Tensor.zeros(2))));
        assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(Map.of("state.1.exp_avg", Tensor.zeros(2))));
    }
}
