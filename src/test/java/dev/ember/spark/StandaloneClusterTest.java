package dev.ember.spark;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark engine on a real standalone cluster (bin/standalone-cluster: Master + 3 Workers as
 * separate JVMs on 127.0.0.1), driven through SparkSubmit. Slow (minutes): run with
 * {@code mvn test -Dgroups=cluster -Dember.excludedGroups= -Dtest=StandaloneClusterTest}.
 */
@Tag("cluster")
class StandaloneClusterTest {
    static final Path SCRIPT = Path.of("bin/standalone-cluster").toAbsolutePath();

    @TempDir
    static Path tmp;

    static int sh(Path log, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static Process train(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "train", "jobs/digits-mlp.job"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    static boolean waitFor(Path file, String text, int seconds) throws Exception {
        for (int i = 0; i < seconds * 4; i++) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    @BeforeAll
    static void start() throws Exception {
        assertEquals(0, sh(tmp.resolve("start.log"), "start", "3"), () -> read(tmp.resolve("start.log")));
    }

    @AfterAll
    static void stop() throws Exception {
        sh(tmp.resolve("stop.log"), "stop");
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void trainsSurvivesAWorkerLossAndResumesAfterTheDriverDies() throws Exception {
        Path out = tmp.resolve("run");
        Path log = tmp.resolve("train1.log");
        // two 1-core executors for two tasks, so whichever worker runs an executor runs a task
        Process driver = train(log, Map.of("SUBMIT_OPTS", "--conf spark.cores.max=2"), "--epochs", "6", "--set",
                "partitions=2", "--out", out.toString());
        assertTrue(waitFor(log, "\nepoch 1/6", 300), () -> read(log));
        // in epoch 2: SIGKILL one worker (its executor dies with it); the run's barrier stage is retried
        assertEquals(0, sh(tmp.resolve("kill.log"), "kill-worker", "busy"), () -> read(tmp.resolve("kill.log")));
        assertTrue(waitFor(log, "(stage retried 1x so far)", 300), () -> read(log));
        assertTrue(waitFor(log, "\nepoch 3/6", 300), () -> read(log));
        // then stop the driver: the run continues from the last checkpoint with --resume
        driver.destroyForcibly().waitFor();
        List<String> before = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(before.size() >= 3, before::toString);
        Path log2 = tmp.resolve("train2.log");
        Process resumed = train(log2, Map.of(), "--epochs", "6", "--set", "partitions=2", "--out", out.toString(), "--resume");
        assertTrue(resumed.waitFor(5, TimeUnit.MINUTES), () -> read(log2));
        assertEquals(0, resumed.exitValue(), () -> read(log2));
        assertTrue(read(log2).contains("resumed from"), () -> read(log2));
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(6, metrics.size(), metrics::toString);
        String last = metrics.get(5);
        double acc = Double.parseDouble(last.replaceAll(".*\"val_accuracy\":([0-9.]+).*", "$1"));
        assertTrue(acc > 0.93, last);
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        assertTrue(new File(out.toFile(), "checkpoints/last.safetensors").exists());
    }
}
