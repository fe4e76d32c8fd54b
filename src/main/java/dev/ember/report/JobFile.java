package dev.ember.report;

import dev.ember.io.AtomicFiles;
import dev.ember.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code job.json}: the job's settings as one flat object of strings, numbers and booleans. */
public final class JobFile {
    private JobFile() {
    }

    public static void write(Path file, Map<String, ?> settings) {
        Map<String, Object> copy = new LinkedHashMap<>(settings);
        check(copy, file);
        AtomicFiles.write(file, (Json.write(copy) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The settings in file order. */
    public static Map<String, Object> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RunFileException(file, "no such file (the trainer writes the job's settings there first)");
        } catch (IOException e) {
            throw new RunFileException(file, "cannot read: " + e.getMessage(), e);
        }
        Map<String, Object> settings;
        try {
            settings = Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new RunFileException(file, e.getMessage());
        }
        check(settings, file);
        return settings;
    }

    private static void check(Map<String, Object> settings, Path file) {
        for (var e : settings.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new RunFileException(file, "setting " + e.getKey() + " must be a string, number or boolean, got "
                        + JsonFields.describe(v));
            }
        }
    }
}
