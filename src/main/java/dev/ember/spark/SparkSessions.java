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
        return SparkSession.builder().config(conf).getOrCreate();
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
