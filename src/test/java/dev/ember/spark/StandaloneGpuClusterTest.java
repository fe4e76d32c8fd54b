package dev.ember.spark;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPU scheduling on a real standalone cluster without GPUs: two workers offer two fake GPUs each
 * (EMBER_WORKER_GPUS=2, conf/gpu-discovery.sh reading EMBER_FAKE_GPUS=0,1), a {@code device = cuda}
 * job makes Spark assign every task a GPU address; opening it fails on this machine, so with
 * {@code gpu_fallback = true} the tasks train on the CPU, and without it the driver reports one
 * clear error. Slow (about 3 minutes): {@code mvn test -Dgroups=cluster -Dember.excludedGroups=
 * -Dtest=StandaloneGpuClusterTest}.
 */
@Tag("cluster")
class StandaloneGpuClusterTest {
    static final Map<String, String> ENV = Map.of("EMBER_WORKER_GPUS", "2", "EMBER_FAKE_GPUS", "0,1");

    @TempDir
    static Path tmp;

    static int run(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(StandaloneClusterTest.SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(ENV);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @BeforeAll
    static void start() throws Exception {
        Path log = tmp.resolve("start.log");
        assertEquals(0, run(log, "start", "2"), () -> StandaloneClusterTest.read(log));
    }

    @AfterAll
    static void stop() throws Exception {
        run(tmp.resolve("stop.log"), "stop");
    }

    @Test
    void everyTaskGetsAGpuAddressAndFallsBackToTheCpu() throws Exception {
        Path out = tmp.resolve("run");
        Path log = tmp.resolve("train.log");
        int rc = run(log, "train", "jobs/digits-mlp.job", "--epochs", "1", "--set", "partitions=2", "--set",
                "device=cuda", "--set", "gpu_fallback=true", "--out", out.toString());
        String text = StandaloneClusterTest.read(log);
        assertEquals(0, rc, text);
        for (String part : List.of("partition 0:", "partition 1:")) {
            String line = text.lines().filter(l -> l.contains(part)).findFirst().orElse("");
            assertTrue(line.matches(".*125 steps on .*: cpu \\(fallback: GPU address [01] assigned by Spark, .*"), text);
        }
        assertTrue(text.contains("final validation"), text);
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    @Test
    void withoutFallbackTheDriverReportsOneClearError() throws Exception {
        Path log = tmp.resolve("strict.log");
        int rc = run(log, "train", "jobs/digits-mlp.job", "--epochs", "1", "--set", "partitions=2", "--set",
                "device=cuda", "--out", tmp.resolve("strict").toString());
        String text = StandaloneClusterTest.read(log);
        assertNotEquals(0, rc, text);
        assertTrue(text.lines().anyMatch(l -> l.matches("error: executor .*: " + GpuPlacement.FAILURE
                + " cuda:[01] \\(GPU address [01] assigned by Spark\\): .*gpu_fallback = true.*")), text);
    }
}
