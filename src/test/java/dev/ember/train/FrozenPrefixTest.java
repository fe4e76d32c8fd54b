package dev.ember.train;

import dev.ember.models.DenseNet;
import dev.ember.models.LeNet5;
import dev.ember.models.MLP;
import dev.ember.models.NamedSequential;
import dev.ember.models.SmallVGG;
import dev.ember.nn.Dropout;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.Staged;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a model's frozen, per-sample-deterministic prefix ends, and why there is none. */
class FrozenPrefixTest {

    private static List<String> paths(List<Staged.Stage> stages) {
        return stages.stream().map(Staged.Stage::path).toList();
    }

    @Test
    void theTransferJobsLenetCachesEverythingUpToItsNewHead() {
        Module lenet = LeNet5.mnist().freeze("features", "classifier.0", "classifier.2");
        FrozenPrefix p = FrozenPrefix.of(lenet);
        assertEquals(List.of("features.0", "features.1", "features.2", "features.3", "features.4", "features.5",
                "flatten", "classifier.0", "classifier.1", "classifier.2", "classifier.3"), paths(p.backbone()),
                "parameterless ReLUs and the flatten join the frozen layers around them");
        assertEquals(List.of("classifier.4"), paths(p.head()));
        assertTrue(p.isUseful());
        assertNull(p.whyNot());
        assertEquals("features.0..classifier.3", FrozenPrefix.span(p.backbone()));
        assertEquals("classifier.4", FrozenPrefix.span(p.head()));
        assertEquals(List.of(lenet.getSubmodule("classifier.4").parameters()), List.of(p.headModule().parameters()),
                "the head is the model's own layer, not a copy");
    }

    @Test
    void frozenFeaturesEndAtTheFirstTrainedLayer() {
        FrozenPrefix p = FrozenPrefix.of(LeNet5.mnist().freeze("features"));
        assertEquals("features.0..flatten", FrozenPrefix.span(p.backbone()));
        assertEquals("classifier.0..classifier.4", FrozenPrefix.span(p.head()));
    }

    @Test
    void dropoutInTrainingEndsThePrefix() {
        FrozenPrefix p = FrozenPrefix.of(new MLP(0.5, 12, 8, 8, 3).freeze("fc1", "fc2"));
        assertEquals(List.of("flatten", "fc1", "relu1"), paths(p.backbone()), "fc2 is frozen but comes after dropout1");
        assertEquals("dropout1", p.head().get(0).path());
        assertTrue(p.isUseful());

        FrozenPrefix none = FrozenPrefix.of(new NamedSequential().add("drop", new Dropout(0.2))
                .add("fc", new Linear(4, 2)));
        assertFalse(none.isUseful());
        assertEquals("its first stage drop is random or uses batch statistics in training (dropout, BatchNorm that is "
                + "not frozen)", none.whyNot());
        FrozenPrefix noDropout = FrozenPrefix.of(new NamedSequential().add("drop", new Dropout(0))
                .add("fc", new Linear(4, 2)));
        assertEquals(List.of("drop"), paths(noDropout.backbone()), "dropout with p = 0 is the identity");
    }

    @Test
    void batchNormJoinsOnlyWhenFrozenNotJustWithoutGradients() {
        SmallVGG vgg = new SmallVGG(new int[] {4, SmallVGG.M, 8}, true, 1, 16, 0.5, 3, 1);
        vgg.getSubmodule("features.0").requiresGrad(false);
        vgg.getSubmodule("features.1").requiresGrad(false);
        assertEquals(List.of("features.0"), paths(FrozenPrefix.of(vgg).backbone()),
                "a BatchNorm without gradients still normalises with batch statistics in training");
        vgg.freeze("features.0", "features.1");
        assertEquals(List.of("features.0", "features.1", "features.2", "features.3"),
                paths(FrozenPrefix.of(vgg).backbone()), "frozen, it stays in eval mode; the pool joins; features.4 trains");
    }

    @Test
    void nothingToCacheSaysWhy() {
        assertEquals("its first stage features.0 trains", FrozenPrefix.of(LeNet5.mnist()).whyNot());
        assertTrue(FrozenPrefix.of(LeNet5.mnist()).backbone().isEmpty());
        assertEquals("nothing after the frozen stages trains", FrozenPrefix.of(LeNet5.mnist().freeze()).whyNot());
        DenseNet dense = new DenseNet(4, new int[] {1, 1}, 8, 2, 0, 3, 3);
        dense.freeze("features");
        assertEquals("DenseNet does not list its stages (nn.Staged)", FrozenPrefix.of(dense).whyNot());
    }
}
