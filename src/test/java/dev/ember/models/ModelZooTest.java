package dev.ember.models;

import dev.ember.autograd.GradMode;
import dev.ember.core.DType;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure of the zoo's models: torchvision's key names and shapes, parameter counts, output shapes, save/load. */
class ModelZooTest {

    /** name dtype shape lines of a model's state dict, as in the committed key files. */
    static List<String> keyLines(Module m) {
        List<String> out = new ArrayList<>();
        m.stateDict().forEach((k, v) -> out.add(k + " " + (v.dtype() == DType.INT64 ? "I64" : "F32") + " "
                + Arrays.toString(v.shape().toArray()).replace(" ", "")));
        return out;
    }

    static List<String> expectedKeyLines(String name) throws IOException {
        try (InputStream in = ModelZooTest.class.getResourceAsStream(name + ".keys.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        }
    }

    static long numel(List<Tensor> ts) {
        return ts.stream().mapToLong(Tensor::numel).sum();
    }

    @Test
    void resnet18HasTorchvisionsKeysAndShapes() throws IOException {
        ResNet m = ResNet.resnet18(1000, 3);
        List<String> expected = expectedKeyLines("resnet18");
        assertEquals(122, expected.size());
        assertEquals(expected, keyLines(m));
        assertEquals(62, m.namedParameters().size());
        assertEquals(60, m.namedBuffers().size());
        assertEquals(11_689_512, numel(m.parameters()), "torchvision's resnet18 parameter count");
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "bn1.num_batches_tracked", "layer1.0.conv1.weight"), new ArrayList<>(m.stateDict().keySet()).subList(0, 7));
        assertTrue(m.stateDict().containsKey("layer2.0.downsample.0.weight"));
        assertTrue(m.stateDict().containsKey("layer2.0.downsample.1.num_batches_tracked"));
        assertTrue(!m.stateDict().containsKey("layer1.0.downsample.0.weight"));
        assertEquals(List.of("fc.weight", "fc.bias"), new ArrayList<>(m.stateDict().keySet()).subList(120, 122));
    }

    @Test
    void densenet121HasTorchvisionsKeysAndShapes() throws IOException {
        DenseNet m = DenseNet.densenet121(1000, 3);
        List<String> expected = expectedKeyLines("densenet121");
        assertEquals(727, expected.size());
        assertEquals(expected, keyLines(m));
        assertEquals(364, m.namedParameters().size());
        assertEquals(7_978_856, numel(m.parameters()), "torchvision's densenet121 parameter count");
        assertEquals(1024, m.featureWidth());
        Map<String, Tensor> sd = m.stateDict();
        for (String k : List.of("features.conv0.weight", "features.norm0.running_var",
                "features.denseblock1.denselayer1.norm1.weight", "features.denseblock1.denselayer6.conv2.weight",
                "features.transition1.conv.weight", "features.transition3.norm.num_batches_tracked",
                "features.denseblock4.denselayer16.conv2.weight", "features.norm5.bias", "classifier.weight")) {
            assertTrue(sd.containsKey(k), k);
        }
        assertArrayEquals(new int[] {128, 64, 1, 1}, sd.get("features.denseblock1.denselayer1.conv1.weight").shape().toArray());
        assertArrayEquals(new int[] {32, 128, 3, 3}, sd.get("features.denseblock1.denselayer1.conv2.weight").shape().toArray());
        assertArrayEquals(new int[] {128, 256, 1, 1}, sd.get("features.transition1.conv.weight").shape().toArray());
    }

    /** The committed key files against the state dicts torchvision itself wrote (when the fixtures are there). */
    @ParameterizedTest
    @MethodSource("torchvisionNames")
    void keyFilesMatchTorchvisionsStateDicts(String name) throws IOException {
        Path dir = TorchvisionFixtures.require(name);
        Map<String, Tensor> ref = PretrainedWeights.read(PretrainedWeights.parts(dir, name))
                .without("__input__", "__logits__").tensors();
        List<String> refLines = new ArrayList<>();
        ref.forEach((k, v) -> refLines.add(k + " " + (v.dtype() == DType.INT64 ? "I64" : "F32") + " "
                + Arrays.toString(v.shape().toArray()).replace(" ", "")));
        assertEquals(new TreeSet<>(refLines), new TreeSet<>(expectedKeyLines(name)));
    }

    static Stream<String> torchvisionNames() {
        return Stream.of("resnet18", "densenet121");
    }

    @Test
    void resnet34HasTorchvisionsLayout() {
        ResNet m = ResNet.resnet34(1000, 3);
        assertEquals(21_797_672, numel(m.parameters()), "torchvision's resnet34 parameter count");
        assertEquals(6, ((dev.ember.nn.Sequential) m.getSubmodule("layer3")).size());
        assertTrue(m.stateDict().containsKey("layer3.5.bn2.running_mean"));
        assertEquals(512, m.featureWidth());
    }

    static Stream<Arguments> smallModels() {
        return Stream.of(
                Arguments.of("mlp", (Supplier<Module>) () -> new MLP(784, 256, 10), new int[] {3, 1, 28, 28}, 10),
                Arguments.of("mlp-dropout", (Supplier<Module>) () -> new MLP(0.2, 20, 16, 8, 4), new int[] {3, 20}, 4),
                Arguments.of("lenet5-mnist", (Supplier<Module>) LeNet5::mnist, new int[] {2, 1, 28, 28}, 10),
                Arguments.of("lenet5-cifar", (Supplier<Module>) () -> new LeNet5(7, 3, 32), new int[] {2, 3, 32, 32}, 7),
                Arguments.of("small-vgg", (Supplier<Module>) () -> SmallVGG.small(5, 3), new int[] {2, 3, 32, 32}, 5),
                Arguments.of("tiny-resnet-1ch", (Supplier<Module>) () -> new ResNet(new int[] {1, 1, 1, 1}, 8, 3, 1),
                        new int[] {2, 1, 16, 16}, 3),
                Arguments.of("resnet18-2ch", (Supplier<Module>) () -> ResNet.resnet18(4, 2), new int[] {2, 2, 32, 32}, 4),
                Arguments.of("tiny-densenet-4ch",
                        (Supplier<Module>) () -> new DenseNet(4, new int[] {2, 2}, 8, 2, 0, 6, 4), new int[] {2, 4, 16, 16}, 6));
    }

    /** Builds with seeded init, saves the state dict as safetensors, loads it into a differently seeded model: same outputs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("smallModels")
    void saveAndReloadGivesTheSameOutputs(String name, Supplier<Module> build, int[] inputShape, int classes,
                                          @TempDir Path tmp) {
        Generator.manualSeed(1);
        Module a = build.get();
        Generator.manualSeed(2);
        Module b = build.get();
        Tensor x = Tensor.rand(inputShape);
        a.train();
        try (var off = GradMode.noGrad()) {
            a.forward(x); // move the BatchNorm statistics off their initial values
        }
        a.eval();
        b.eval();
        Tensor ya;
        Tensor yb;
        try (var off = GradMode.noGrad()) {
            ya = a.forward(x);
            assertNotEquals(Arrays.toString(ya.toFloatArray()), Arrays.toString(b.forward(x).toFloatArray()));
            Path file = tmp.resolve(name + ".safetensors");
            SafeTensors.write(file, a.stateDict(), Map.of("model", name));
            PretrainedWeights.LoadReport r = PretrainedWeights.read(file).loadInto(b, true);
            assertEquals(a.stateDict().size(), r.loadedKeys().size());
            yb = b.forward(x);
        }
        assertArrayEquals(new int[] {inputShape[0], classes}, ya.shape().toArray());
        assertArrayEquals(ya.toFloatArray(), yb.toFloatArray(), name);
        for (var e : a.namedBuffers().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), b.namedBuffers().get(e.getKey()).toFloatArray(), e.getKey());
        }
    }

    @Test
    void lenet5DocumentedLayers() {
        LeNet5 m = LeNet5.mnist();
        assertEquals(List.of("features.0.weight F32 [6,1,5,5]", "features.0.bias F32 [6]",
                "features.3.weight F32 [16,6,5,5]", "features.3.bias F32 [16]",
                "classifier.0.weight F32 [120,400]", "classifier.0.bias F32 [120]",
                "classifier.2.weight F32 [84,120]", "classifier.2.bias F32 [84]",
                "classifier.4.weight F32 [10,84]", "classifier.4.bias F32 [10]"), keyLines(m));
        assertEquals(61_706, numel(m.parameters()));
        assertThrows(IllegalArgumentException.class, () -> new LeNet5(10, 1, 30));
    }

    @Test
    void mlpKeysReadWell() {
        assertEquals(List.of("fc1.weight F32 [256,784]", "fc1.bias F32 [256]", "fc2.weight F32 [10,256]",
                "fc2.bias F32 [10]"), keyLines(new MLP(784, 256, 10)));
        assertThrows(IllegalArgumentException.class, () -> new MLP(784));
    }

    @Test
    void replacingTheHeadForTransferLearning() {
        ResNet m = new ResNet(new int[] {1, 1, 1, 1}, 8, 1000, 3);
        Linear head = m.setChild("fc", new Linear(m.featureWidth(), 5));
        assertEquals(head, m.child("fc"));
        assertArrayEquals(new int[] {5, 64}, m.stateDict().get("fc.weight").shape().toArray());
        assertEquals("fc.bias", new ArrayList<>(m.stateDict().keySet()).get(m.stateDict().size() - 1));
        Tensor y;
        try (var off = GradMode.noGrad()) {
            y = m.eval().forward(Tensor.rand(2, 3, 16, 16));
        }
        assertArrayEquals(new int[] {2, 5}, y.shape().toArray());
        assertEquals(m.forwardFeatures(Tensor.rand(1, 3, 16, 16)).size(1), 64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.setChild("head", new Linear(64, 5)));
        assertTrue(e.getMessage().contains("no submodule 'head'"), e.getMessage());

        DenseNet d = new DenseNet(4, new int[] {2, 2}, 8, 2, 0, 10, 3);
        d.setChild("classifier", new Linear(d.featureWidth(), 2));
        try (var off = GradMode.noGrad()) {
            assertArrayEquals(new int[] {1, 2}, d.eval().forward(Tensor.rand(1, 3, 16, 16)).shape().toArray());
        }
    }

    @Test
    void getSubmoduleByPath() {
        ResNet m = ResNet.resnet18(10, 3);
        assertTrue(m.getSubmodule("layer2.0.downsample.0") instanceof dev.ember.nn.Conv2d);
        assertEquals(m, m.getSubmodule(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getSubmodule("layer2.0.conv3"));
        assertTrue(e.getMessage().contains("layer2.0 (BasicBlock) has no submodule 'conv3'"), e.getMessage());
        assertEquals("", m.namedModules().keySet().iterator().next());
        assertTrue(m.namedModules().containsKey("layer4.1.bn2"));
    }
}
