package dev.ember.models;

import dev.ember.autograd.GradMode;
import dev.ember.nn.Module;
import dev.ember.nn.Staged;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The zoo's models list their stages, and running the expanded stages one after another is their forward. */
class StagedModelsTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("mlp", (Supplier<Module>) () -> new MLP(0.5, 12, 8, 3), new int[] {2, 1, 3, 4}),
                Arguments.of("lenet5", (Supplier<Module>) LeNet5::mnist, new int[] {2, 1, 28, 28}),
                Arguments.of("small-vgg", (Supplier<Module>) () -> new SmallVGG(new int[] {4, SmallVGG.M, 8}, true, 1, 16,
                        0.5, 3, 3), new int[] {2, 3, 8, 8}),
                Arguments.of("tiny-resnet", (Supplier<Module>) () -> new ResNet(new int[] {1, 1, 1, 1}, 8, 3, 3),
                        new int[] {2, 3, 16, 16}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void expandedStagesComposeToForward(String name, Supplier<Module> make, int[] input) {
        Generator.manualSeed(1);
        Module model = make.get().eval();
        Tensor x = Tensor.randn(input);
        try (var off = GradMode.noGrad()) {
            Tensor y = x;
            for (Staged.Stage s : Staged.expand(model)) {
                y = s.module().forward(y);
            }
            assertArrayEquals(model.forward(x).toFloatArray(), y.toFloatArray(), name);
        }
    }

    @Test
    void lenetStagesArePathsOfItsLayersAroundAFlatten() {
        List<String> paths = Staged.expand(LeNet5.mnist()).stream().map(Staged.Stage::path).toList();
        assertEquals(List.of("features.0", "features.1", "features.2", "features.3", "features.4", "features.5",
                "flatten", "classifier.0", "classifier.1", "classifier.2", "classifier.3", "classifier.4"), paths);
        List<String> resnet = Staged.expand(new ResNet(new int[] {2, 1, 1, 1}, 8, 3, 3)).stream()
                .map(Staged.Stage::path).toList();
        assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1.0", "layer1.1", "layer2.0", "layer3.0",
                "layer4.0", "avgpool", "flatten", "fc"), resnet, "blocks are stages; a block's insides are not");
    }

    @Test
    void aModelThatListsNoStagesIsOneStage() {
        Module dense = new DenseNet(4, new int[] {1, 1}, 8, 2, 0, 3, 3);
        assertEquals(List.of(new Staged.Stage("", dense)), Staged.expand(dense));
    }
}
