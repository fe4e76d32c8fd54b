package dev.ember.models;

import dev.ember.core.DType;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading part files and the errors of loading: missing, unexpected and mis-shaped keys, strict or not. */
class PretrainedWeightsTest {

    private static ResNet model(int seed) {
        Generator.manualSeed(seed);
        return new ResNet(new int[] {1, 1, 1, 1}, 4, 10, 3);
    }

    private static String loadError(PretrainedWeights w, Module m, boolean strict) {
        return assertThrows(IllegalArgumentException.class, () -> w.loadInto(m, strict)).getMessage();
    }

    @Test
    void partFilesMergeInPartOrder(@TempDir Path dir) throws Exception {
        ResNet src = model(1);
        Map<String, Tensor> sd = src.stateDict();
        List<Map<String, Tensor>> parts = List.of(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        int i = 0;
        for (var e : sd.entrySet()) {
            parts.get(i++ % 3).put(e.getKey(), e.getValue());
        }
        // written out of order, and with a distractor whose name merely starts alike
        SafeTensors.write(dir.resolve("net.part2.safetensors"), parts.get(2), null);
        SafeTensors.write(dir.resolve("net.part0.safetensors"), parts.get(0), null);
        SafeTensors.write(dir.resolve("net.part1.safetensors"), parts.get(1), null);
        SafeTensors.write(dir.resolve("network.part0.safetensors"), Map.of("x", Tensor.zeros(1)), null);
        List<Path> files = PretrainedWeights.parts(dir, "net");
        assertEquals(List.of("net.part0.safetensors", "net.part1.safetensors", "net.part2.safetensors"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        ResNet dst = model(2);
        PretrainedWeights.LoadReport r = PretrainedWeights.read(files).loadInto(dst, true);
        assertEquals(sd.size(), r.loadedKeys().size());
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        for (var e : sd.entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), dst.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
        assertEquals(DType.INT64, dst.stateDict().get("bn1.num_batches_tracked").dtype());

        Files.delete(dir.resolve("net.part1.safetensors"));
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> PretrainedWeights.parts(dir, "net"));
        assertTrue(gap.getMessage().contains("do not run 0..1"), gap.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> PretrainedWeights.parts(dir, "vgg"));
        assertTrue(none.getMessage().contains("no vgg.safetensors or vgg.partK.safetensors"), none.getMessage());
    }

    @Test
    void aKeyInTwoFilesIsAnError(@TempDir Path dir) {
        SafeTensors.write(dir.resolve("a.safetensors"), Map.of("w", Tensor.zeros(2)), null);
        SafeTensors.write(dir.resolve("b.safetensors"), Map.of("w", Tensor.ones(2)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedWeights.read(dir.resolve("a.safetensors"), dir.resolve("b.safetensors")));
        assertTrue(e.getMessage().contains("'w' is in both"), e.getMessage());
    }

    @Test
    void numBatchesTrackedLoadsAsInt64() {
        ResNet m = model(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(m.stateDict());
        sd.put("bn1.num_batches_tracked", Tensor.wrap(new long[] {123_456_789_012L}));
        PretrainedWeights.of(sd).loadInto(m, true);
        Tensor t = m.namedBuffers().get("bn1.num_batches_tracked");
        assertEquals(DType.INT64, t.dtype());
        assertEquals(123_456_789_012L, t.toLongArray()[0]);

        sd.put("bn1.num_batches_tracked", Tensor.scalar(3.0));
        String msg = loadError(PretrainedWeights.of(sd), m, true);
        assertTrue(msg.contains("bn1.num_batches_tracked: checkpoint dtype float32 vs model int64"), msg);
    }

    @Test
    void wrongShapesFailEvenWhenNotStrictAndNothingIsCopied() {
        ResNet src = model(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(src.stateDict());
        sd.put("conv1.weight", Tensor.zeros(4, 1, 7, 7));
        sd.put("fc.weight", Tensor.zeros(1000, 32));
        sd.put("fc.bias", Tensor.zeros(1000));
        ResNet dst = model(2);
        float[] bnBefore = dst.stateDict().get("bn1.running_var").toFloatArray();
        for (boolean strict : new boolean[] {true, false}) {
            String msg = loadError(PretrainedWeights.of(sd), dst, strict);
            assertTrue(msg.contains("3 mismatched"), msg);
            assertTrue(msg.contains("conv1.weight: checkpoint [4, 1, 7, 7] vs model [4, 3, 7, 7]"), msg);
            assertTrue(msg.contains("fc.weight: checkpoint [1000, 32] vs model [10, 32]"), msg);
            assertTrue(msg.contains("fc.bias: checkpoint [1000] vs model [10]"), msg);
        }
        assertArrayEquals(bnBefore, dst.stateDict().get("bn1.running_var").toFloatArray(), "nothing copied");
    }

    @Test
    void missingAndUnexpectedKeysStrict() {
        ResNet src = model(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(src.stateDict());
        sd.remove("layer3.0.bn2.running_mean");
        sd.remove("fc.bias");
        sd.put("head.weight", Tensor.zeros(3, 3));
        String msg = loadError(PretrainedWeights.of(sd), model(2), true);
        assertTrue(msg.startsWith("cannot load 73 checkpoint tensors into ResNet (74 keys, strict=true): 2 missing, 1 unexpected"), msg);
        assertTrue(msg.contains("missing from the checkpoint (model shape) [2]:\n  layer3.0.bn2.running_mean [16]\n  fc.bias [10]"), msg);
        assertTrue(msg.contains("unexpected in the checkpoint (checkpoint shape) [1]:\n  head.weight [3, 3]"), msg);
    }

    @Test
    void nonStrictReportsAndLoadsTheRest() {
        ResNet src = model(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(src.stateDict());
        sd.remove("fc.weight");
        sd.remove("fc.bias");
        sd.put("aux.weight", Tensor.zeros(2));
        ResNet dst = model(2);
        float[] fcBefore = dst.stateDict().get("fc.weight").toFloatArray();
        PretrainedWeights.LoadReport r = PretrainedWeights.of(sd).loadInto(dst, false);
        assertEquals(List.of("fc.weight", "fc.bias"), r.missingKeys());
        assertEquals(List.of("aux.weight"), r.unexpectedKeys());
        assertEquals(sd.size() - 1, r.loadedKeys().size());
        assertArrayEquals(fcBefore, dst.stateDict().get("fc.weight").toFloatArray(), "missing keys keep the model's values");
        assertArrayEquals(src.stateDict().get("layer4.0.conv2.weight").toFloatArray(),
                dst.stateDict().get("layer4.0.conv2.weight").toFloatArray());
        assertTrue(r.toString().contains("2 missing [fc.weight, fc.bias]"), r.toString());
    }

    @Test
    void aHundredKeyErrorStaysReadable() {
        // a resnet18 checkpoint into a model with another width: every weight mismatches
        Map<String, Tensor> sd = ResNet.resnet18(1000, 3).stateDict();
        ResNet narrow = new ResNet(new int[] {2, 2, 2, 2}, 32, 1000, 3);
        String msg = loadError(PretrainedWeights.of(sd), narrow, true);
        long lines = msg.lines().count();
        assertTrue(lines < PretrainedWeights.LIST_LIMIT + 10, lines + " lines:\n" + msg);
        // 122 keys less 20 num_batches_tracked and fc.bias, whose shapes agree
        assertTrue(msg.contains("101 mismatched"), msg);
        assertTrue(msg.contains("\n  … and 61 more under layer2 (10), layer3 (25), layer4 (25), fc (1)"), msg);
    }

    @Test
    void prefixHintForWrappedCheckpoints() {
        ResNet src = model(1);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        src.stateDict().forEach((k, v) -> sd.put("module." + k, v));
        String msg = loadError(PretrainedWeights.of(sd), model(2), true);
        assertTrue(msg.contains("hint: the checkpoint's keys carry the prefix 'module.': use stripPrefix(\"module.\")"), msg);
        assertEquals(src.stateDict().size(), PretrainedWeights.of(sd).stripPrefix("module.").loadInto(model(2), true)
                .loadedKeys().size());
    }

    @Test
    void withoutAndUnder() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("backbone.conv.weight", Tensor.zeros(1));
        sd.put("backbone.conv.bias", Tensor.zeros(1));
        sd.put("backbone2.x", Tensor.zeros(1));
        sd.put("head.weight", Tensor.zeros(1));
        PretrainedWeights w = PretrainedWeights.of(sd);
        assertEquals(List.of("conv.weight", "conv.bias"), List.copyOf(w.under("backbone").tensors().keySet()));
        assertEquals(List.of("backbone2.x", "head.weight"), List.copyOf(w.without("backbone").tensors().keySet()));
        assertEquals(List.of("backbone.conv.bias", "backbone2.x", "head.weight"),
                List.copyOf(w.without("backbone.conv.weight").tensors().keySet()));
        assertThrows(IllegalArgumentException.class, () -> w.without("back"));
        assertThrows(IllegalArgumentException.class, () -> w.under("tail"));
        assertFalse(w.tensors().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.get("nope"));
        assertTrue(e.getMessage().contains("no tensor 'nope'"), e.getMessage());
    }
}
