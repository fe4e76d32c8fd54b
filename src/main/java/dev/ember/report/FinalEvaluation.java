package dev.ember.report;

import dev.ember.io.AtomicFiles;
import dev.ember.io.Json;
import dev.ember.train.Evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code evaluation.json}: the final validation of a run. {@code confusion[t][p]} counts examples of
 * true class t predicted as p.
 */
public record FinalEvaluation(List<String> classNames, long[][] confusion, double loss, double accuracy) {

    public FinalEvaluation {
        classNames = List.copyOf(classNames);
        int n = classNames.size();
        if (n == 0) {
            throw new IllegalArgumentException("class_names is empty");
        }
        for (int i = 0; i < n; i++) {
            if (classNames.get(i).isEmpty()) {
                throw new IllegalArgumentException("class_names[" + i + "] is empty");
            }
        }
        if (confusion.length != n) {
            throw new IllegalArgumentException("confusion has " + confusion.length + " rows for " + n + " classes");
        }
        for (int t = 0; t < n; t++) {
            if (confusion[t].length != n) {
                throw new IllegalArgumentException("confusion row " + t + " has " + confusion[t].length
                        + " columns for " + n + " classes");
            }
            for (long c : confusion[t]) {
                if (c < 0) {
                    throw new IllegalArgumentException("confusion row " + t + " holds a negative count " + c);
                }
            }
        }
        if (accuracy < 0 || accuracy > 1) {
            throw new IllegalArgumentException("accuracy must lie in [0, 1], got " + accuracy);
        }
    }

    /** The trainer's evaluation with the dataset's class names, label order. */
    public static FinalEvaluation of(List<String> classNames, Evaluation e) {
        return new FinalEvaluation(classNames, e.confusion(), e.loss(), e.accuracy());
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Examples of true class t (the row sum). */
    public long support(int t) {
        long s = 0;
        for (long c : confusion[t]) {
            s += c;
        }
        return s;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("class_names", classNames);
        o.put("confusion", Arrays.asList(confusion));
        o.put("loss", loss);
        o.put("accuracy", accuracy);
        return o;
    }

    public void write(Path file) {
        AtomicFiles.write(file, (Json.write(toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public static FinalEvaluation read(Path file) {
        try {
            return parse(Json.parseObject(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new RunFileException(file, "cannot read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RunFileException(file, e.getMessage());
        }
    }

    private static FinalEvaluation parse(Map<String, Object> o) {
        List<String> names = new ArrayList<>();
        for (Object v : list(o, "class_names")) {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("class_names must hold strings, got " + JsonFields.describe(v));
            }
            names.add(s);
        }
        List<?> rows = list(o, "confusion");
        long[][] confusion = new long[rows.size()][];
        for (int t = 0; t < confusion.length; t++) {
            if (!(rows.get(t) instanceof List<?> row)) {
                throw new IllegalArgumentException("confusion row " + t + " is " + JsonFields.describe(rows.get(t))
                        + ", not an array");
            }
            confusion[t] = new long[row.size()];
            for (int p = 0; p < row.size(); p++) {
                if (!(row.get(p) instanceof Long c)) {
                    throw new IllegalArgumentException("confusion[" + t + "][" + p + "] must be an integer count, got "
                            + JsonFields.describe(row.get(p)));
                }
                confusion[t][p] = c;
            }
        }
        return new FinalEvaluation(names, confusion, JsonFields.number(o, "loss"), JsonFields.number(o, "accuracy"));
    }

    private static List<?> list(Map<String, Object> o, String key) {
        Object v = JsonFields.require(o, key);
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("expected an array for " + key + ", got " + JsonFields.describe(v));
        }
        return l;
    }
}
