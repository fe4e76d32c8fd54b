package dev.ember.spark;

import dev.ember.job.JobConfig;
import dev.ember.job.JobKey;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the SparkSession a job runs on: its {@code master} (or the one spark-submit set), then
 * {@code conf/spark-defaults.conf} when present (keys not already set), then Ember's defaults. A
 * {@code spark://} master is probed first so that an unreachable one fails in seconds, naming the
 * URL, instead of Spark's minute of retries.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession open(JobConfig job, String appName) {
        SparkConf conf = new SparkConf();
        String master = job.isSet(JobKey.MASTER) || !conf.contains("spark.master")
                ? job.string(JobKey.MASTER) : conf.get("spark.master");
        checkMaster(master);
        conf.setMaster(master);
        defaultsFile().ifPresent(f -> readDefaults(f).forEach(conf::setIfMissing));
        conf.setIfMissing("spark.app.name", appName);
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        gpuScheduling(job, master, conf);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * With {@code device = cuda}, asks Spark to schedule GPUs, keys the user set (spark-submit
     * --conf, -D, spark-defaults.conf) winning: one GPU per executor, {@code gpus_per_task} per task,
     * found by {@code conf/gpu-discovery.sh}. For {@code local-cluster[..]} masters the in-process
     * workers need the worker keys too (on a standalone cluster the workers are configured where
     * they start: bin/standalone-cluster with EMBER_WORKER_GPUS). {@code local[*]} does not schedule
     * resources: nothing is set and every task uses the job's GPU ordinal (GpuPlacement).
     */
    static void gpuScheduling(JobConfig job, String master, SparkConf conf) {
        String device = job.string(JobKey.DEVICE).strip().toLowerCase(java.util.Locale.ROOT);
        if (!device.startsWith("cuda") || (master.startsWith("local") && !master.startsWith("local-cluster"))) {
            return;
        }
        String script = discoveryScript().toString();
        double perTask = job.number(JobKey.GPUS_PER_TASK);
        if (!(perTask > 0 && (perTask <= 1 || perTask == Math.rint(perTask)))) {
            throw new dev.ember.job.JobConfigException(job.source() + ": gpus_per_task: expected a fraction in (0, 1] "
                    + "or a whole number, got " + perTask);
        }
        conf.setIfMissing("spark.executor.resource.gpu.amount", "1");
        conf.setIfMissing("spark.executor.resource.gpu.discoveryScript", script);
        conf.setIfMissing("spark.task.resource.gpu.amount", perTask == Math.rint(perTask)
                ? Long.toString((long) perTask) : Double.toString(perTask));
        if (master.startsWith("local-cluster")) {
            conf.setIfMissing("spark.worker.resource.gpu.amount", conf.get("spark.executor.resource.gpu.amount"));
            conf.setIfMissing("spark.worker.resource.gpu.discoveryScript", script);
        }
    }

    /** {@code $EMBER_HOME/conf/gpu-discovery.sh} (bin/ember sets -Dember.home), else {@code conf/} here. */
    static Path discoveryScript() {
        String home = System.getProperty("ember.home");
        return (home == null ? Path.of("conf") : Path.of(home, "conf")).resolve("gpu-discovery.sh").toAbsolutePath();
    }

    /** {@code $EMBER_HOME/conf/spark-defaults.conf} (bin/ember sets -Dember.home), else {@code conf/} here. */
    static java.util.Optional<Path> defaultsFile() {
        String home = System.getProperty("ember.home");
        Path f = (home == null ? Path.of("conf") : Path.of(home, "conf")).resolve("spark-defaults.conf");
        return Files.isRegularFile(f) ? java.util.Optional.of(f) : java.util.Optional.empty();
    }

    /** Spark's properties-file syntax: {@code key value} (or {@code key=value}) lines, # comments. */
    static Map<String, String> readDefaults(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] kv = t.split("[\\s=]+", 2);
                out.put(kv[0], kv.length > 1 ? kv[1].strip() : "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * @throws IllegalStateException naming the URL when no master of a {@code spark://} URL accepts a
     *         TCP connection within 3 s, or when the URL's scheme is unknown
     */
    public static void checkMaster(String master) {
        if (master.startsWith("local") || master.equals("yarn") || master.startsWith("k8s://")) {
            return;
        }
        if (!master.startsWith("spark://")) {
            throw new IllegalStateException("master '" + master + "': expected local[N], local-cluster[..], "
                    + "spark://HOST:PORT, yarn or k8s://...");
        }
        List<String> hosts = List.of(master.substring("spark://".length()).split(","));
        String last = null;
        for (String hp : hosts) {
            URI uri = URI.create("spark://" + hp);
            if (uri.getHost() == null) {
                throw new IllegalStateException("master '" + master + "': cannot parse host:port '" + hp + "'");
            }
            int port = uri.getPort() < 0 ? 7077 : uri.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), port), 3000);
                return;
            } catch (IOException e) {
                last = e.getMessage();
            }
        }
        throw new IllegalStateException("cannot reach the Spark master " + master + " (" + last + "); is it running? "
                + "(bin/standalone-cluster start) or train with --master local[*]");
    }
}
