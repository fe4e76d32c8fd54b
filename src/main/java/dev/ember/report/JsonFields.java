package dev.ember.report;

import java.util.Map;

/**
 * Typed access to the fields of a parsed JSON object, with errors that say which field was wrong and
 * what it held. The caller adds the file (and line) by wrapping the message in a RunFileException.
 */
final class JsonFields {
    private JsonFields() {
    }

    /** A number; JSON null stands for NaN (how the writers spell a value that was not measured). */
    static double number(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (v == null) {
            return Double.NaN;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("expected a number for " + key + ", got " + describe(v));
        }
        return n.doubleValue();
    }

    static long integer(Map<String, Object> object, String key) {
        Object v = require(object, key);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("expected an integer for " + key + ", got " + describe(v));
        }
        return l;
    }

    static Object require(Map<String, Object> object, String key) {
        if (!object.containsKey(key)) {
            throw new IllegalArgumentException("missing " + key);
        }
        return object.get(key);
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof Iterable) {
            return "an array";
        }
        return v.toString();
    }
}
