package dev.ember.job;

/** A job file or override that cannot be used; the message names the file, line and key. */
public class JobConfigException extends RuntimeException {
    public JobConfigException(String message) {
        super(message);
    }
}
