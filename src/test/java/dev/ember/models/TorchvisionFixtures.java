package dev.ember.models;

import dev.ember.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the reference files made by real torchvision live (see their README.md): the system property
 * {@code ember.torchvision.fixtures}, else the environment variable {@code EMBER_TORCHVISION_FIXTURES},
 * else {@code ../shared/fixtures/torchvision} relative to the project directory.
 */
final class TorchvisionFixtures {
    static final String PROPERTY = "ember.torchvision.fixtures";
    static final String ENV = "EMBER_TORCHVISION_FIXTURES";

    private TorchvisionFixtures() {
    }

    static Path dir() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        if (p == null || p.isBlank()) {
            p = "../shared/fixtures/torchvision";
        }
        return Path.of(p).toAbsolutePath().normalize();
    }

    /** The directory holding {@code NAME.part0.safetensors}, or a skip naming the path looked at. */
    static Path require(String name) {
        Path dir = dir();
        Path part0 = dir.resolve(name + ".part0.safetensors");
        assumeTrue(Files.isRegularFile(part0), () -> "torchvision fixture " + part0 + " is absent; set -D" + PROPERTY
                + "=DIR or " + ENV + " to the folder of " + name + ".partK.safetensors to run this test");
        return dir;
    }

    /** ||a - b||₂ / ||b||₂. */
    static double relativeError(Tensor actual, Tensor expected) {
        float[] a = actual.toFloatArray();
        float[] b = expected.toFloatArray();
        if (a.length != b.length) {
            throw new AssertionError("sizes differ: " + actual.shape() + " vs " + expected.shape());
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    /** max |a - b| / max |b|. */
    static double maxRelativeError(Tensor actual, Tensor expected) {
        float[] a = actual.toFloatArray();
        float[] b = expected.toFloatArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs((double) a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }
}
