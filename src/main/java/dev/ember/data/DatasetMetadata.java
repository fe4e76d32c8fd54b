package dev.ember.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a dataset stores in each Parquet file's key-value metadata: the class names, in label order
 * (label {@code i} is {@code classNames.get(i)}).
 */
public record DatasetMetadata(List<String> classNames) {
    /** Marks files written by Ember, with the format version. */
    public static final String FORMAT_KEY = "ember.format";
    public static final String FORMAT_VERSION = "ember-image/1";
    /** The class names as a JSON array of strings. */
    public static final String CLASSES_KEY = "ember.classes";
    /** The number of classes, in decimal; must equal the length of the class-name array. */
    public static final String NUM_CLASSES_KEY = "ember.num_classes";

    public DatasetMetadata {
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one class name");
        }
        if (classNames.stream().distinct().count() != classNames.size()) {
            throw new IllegalArgumentException("class names must be distinct, got " + classNames);
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    /** The key-value pairs to put into every Parquet file's footer. */
    public Map<String, String> toKeyValue() {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put(FORMAT_KEY, FORMAT_VERSION);
        kv.put(CLASSES_KEY, Json.stringArray(classNames));
        kv.put(NUM_CLASSES_KEY, Integer.toString(classNames.size()));
        return kv;
    }

    /**
     * Reads the metadata written by {@link #toKeyValue()}.
     *
     * @param source the file, for messages
     * @throws DatasetFormatException when a key is missing or malformed
     */
    public static DatasetMetadata fromKeyValue(Map<String, String> kv, String source) {
        String format = kv.get(FORMAT_KEY);
        if (format != null && !format.equals(FORMAT_VERSION)) {
            throw new DatasetFormatException(source + ": key-value metadata '" + FORMAT_KEY + "' is '" + format
                    + "'; this reader understands '" + FORMAT_VERSION + "'");
        }
        String classesJson = kv.get(CLASSES_KEY);
        if (classesJson == null) {
            throw new DatasetFormatException(source + ": no key-value metadata '" + CLASSES_KEY
                    + "' (a JSON array of class names); files written by Spark lose it, re-write the dataset with ParquetImageWriter");
        }
        List<String> names;
        try {
            names = Json.parseStringArray(classesJson);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(source + ": key-value metadata '" + CLASSES_KEY + "' is not a JSON array of strings: "
                    + e.getMessage(), e);
        }
        String count = kv.get(NUM_CLASSES_KEY);
        if (count != null && !count.equals(Integer.toString(names.size()))) {
            throw new DatasetFormatException(source + ": key-value metadata '" + NUM_CLASSES_KEY + "' is " + count + " but '"
                    + CLASSES_KEY + "' has " + names.size() + " names");
        }
        try {
            return new DatasetMetadata(names);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(source + ": key-value metadata '" + CLASSES_KEY + "': " + e.getMessage(), e);
        }
    }
}
