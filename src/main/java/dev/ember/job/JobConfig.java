package dev.ember.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job file: {@code key = value} lines with {@code #} comments, every key known and typed (see
 * {@link JobKey}). Command-line overrides replace keys after the file is read. Mistakes fail with
 * the file, line and key: an unknown key (with the closest known one), a value of the wrong type,
 * or a missing required key.
 */
public final class JobConfig {
    private final String source;
    private final Map<JobKey, Object> values;

    private JobConfig(String source, Map<JobKey, Object> values) {
        this.source = source;
        this.values = values;
    }

    public static JobConfig load(Path file, Map<String, String> overrides) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new JobConfigException("cannot read job file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines, overrides);
    }

    public static JobConfig parse(String source, List<String> lines, Map<String, String> overrides) {
        Map<JobKey, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = source + " line " + (i + 1);
            if (eq <= 0) {
                throw new JobConfigException(where + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String raw = line.substring(eq + 1).strip();
            JobKey k = JobKey.lookup(key, where);
            if (values.containsKey(k)) {
                throw new JobConfigException(where + ": key '" + key + "' is set twice");
            }
            values.put(k, k.parse(raw, where));
        }
        for (var e : overrides.entrySet()) {
            String where = "command-line override " + e.getKey() + "=" + e.getValue();
            JobKey k = JobKey.lookup(e.getKey(), where);
            values.put(k, k.parse(e.getValue(), where));
        }
        for (JobKey k : JobKey.values()) {
            if (k.required() && !values.containsKey(k)) {
                throw new JobConfigException(source + ": required key '" + k.key() + "' is missing (" + k.help() + ")");
            }
        }
        return new JobConfig(source, values);
    }

    /** Where the job came from (its file), for messages. */
    public String source() {
        return source;
    }

    public String string(JobKey k) {
        return (String) get(k);
    }

    public int integer(JobKey k) {
        return (Integer) get(k);
    }

    public double number(JobKey k) {
        return (Double) get(k);
    }

    public boolean flag(JobKey k) {
        return (Boolean) get(k);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(JobKey k) {
        return (List<String>) get(k);
    }

    /** Whether the key was set (in the file or by an override) rather than defaulted. */
    public boolean isSet(JobKey k) {
        return values.containsKey(k);
    }

    private Object get(JobKey k) {
        return values.containsKey(k) ? values.get(k) : k.defaultValue();
    }

    /** Every key with its effective value, as strings, in declaration order (for job.json and checkpoints). */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JobKey k : JobKey.values()) {
            Object v = get(k);
            if (v != null) {
                out.put(k.key(), v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Rebuilds a config from {@link #effective()} (e.g. from a checkpoint's metadata). */
    public static JobConfig fromEffective(String source, Map<String, String> effective) {
        List<String> lines = new ArrayList<>();
        effective.forEach((k, v) -> lines.add(k + " = " + v));
        return parse(source, lines, Map.of());
    }
}
