package dev.ember.report;

import java.nio.file.Path;

/**
 * A run directory lacks a file or holds a malformed one. The message names the file (and the line,
 * for metrics.jsonl) so that whoever wrote it can find the problem.
 */
public final class RunFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public RunFileException(Path file, int line, String problem) {
        super(file + " line " + line + ": " + problem);
    }

    public RunFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
