package dev.ember.job;

import dev.ember.data.ImageShape;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The model keys of a job: cnn_layers, cnn_pool and hidden shape the cnn; bad values name the key. */
class ModelsTest {

    private static JobConfig job(String... lines) {
        List<String> all = new java.util.ArrayList<>(List.of("name = m", "train = data/digits/train"));
        all.addAll(List.of(lines));
        return JobConfig.parse("m.job", all, Map.of());
    }

    @Test
    void cnnKeysBuildTheLayersTheyName() {
        Module m = Models.create(job("model = cnn", "cnn_layers = 32,M,64,M", "cnn_pool = 7", "hidden = 128"),
                new ImageShape(1, 28, 28), 10);
        var params = m.namedParameters();
        assertArrayEquals(new int[] {32, 1, 3, 3}, params.get("features.0.weight").shape().toArray());
        assertArrayEquals(new int[] {64, 32, 3, 3}, params.get("features.4.weight").shape().toArray());
        assertArrayEquals(new int[] {128, 64 * 7 * 7}, params.get("classifier.0.weight").shape().toArray());
        assertArrayEquals(new int[] {2, 10}, m.forward(Tensor.randn(2, 1, 28, 28)).shape().toArray());
    }

    @Test
    void badCnnLayersAndHiddenAreNamed() {
        JobConfigException layers = assertThrows(JobConfigException.class, () -> Models.create(
                job("model = cnn", "cnn_layers = 32,X,64"), new ImageShape(1, 28, 28), 10));
        assertEquals("m.job: cnn_layers: expected conv widths and M (pool), e.g. 32,M,64,M, got '32,X,64'",
                layers.getMessage());
        JobConfigException hidden = assertThrows(JobConfigException.class, () -> Models.create(
                job("model = cnn", "hidden = 64,32"), new ImageShape(1, 28, 28), 10));
        assertEquals("m.job: hidden: the cnn's classifier has one hidden layer, got '64,32'", hidden.getMessage());
    }
}
