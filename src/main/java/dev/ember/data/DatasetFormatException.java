package dev.ember.data;

/**
 * A dataset file or directory does not have the expected content. The message names the file (or
 * source), the row and/or column where that applies, and what was expected, so that a user can fix
 * the input without reading Ember's code.
 */
public class DatasetFormatException extends RuntimeException {
    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
