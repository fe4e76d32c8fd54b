package dev.ember.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A directory that appears at its destination only when complete. Content is written into a hidden
 * sibling ({@code .<name>.tmp-<random>}, which Spark and Ember's readers skip) and renamed onto the
 * destination by {@link #commit()}; {@link #close()} without a commit deletes it. A crash can leave
 * a hidden sibling behind, never a half-written destination.
 *
 * <pre>{@code
 * try (AtomicDirectory out = AtomicDirectory.create(dest, false)) {
 *     write(out.staging());
 *     out.commit();
 * }
 * }</pre>
 */
public final class AtomicDirectory implements AutoCloseable {
    private final Path destination;
    private final Path staging;
    private final boolean overwrite;
    private boolean done;

    private AtomicDirectory(Path destination, Path staging, boolean overwrite) {
        this.destination = destination;
        this.staging = staging;
        this.overwrite = overwrite;
    }

    /**
     * Creates the staging directory (and any missing parents of the destination).
     *
     * @param overwrite whether an existing destination may be replaced on commit
     * @throws IllegalArgumentException if the destination exists and {@code overwrite} is false
     */
    public static AtomicDirectory create(Path destination, boolean overwrite) {
        Path target = destination.toAbsolutePath().normalize();
        checkDestination(target, overwrite);
        try {
            Files.createDirectories(target.getParent());
            Path staging = Files.createDirectory(sibling(target, "tmp"));
            return new AtomicDirectory(target, staging, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory beside " + target, e);
        }
    }

    /** Where to write the content before {@link #commit()}. */
    public Path staging() {
        return staging;
    }

    public Path destination() {
        return destination;
    }

    /** Renames the staging directory onto the destination (replacing it if allowed). */
    public void commit() {
        if (done) {
            throw new IllegalStateException("already committed or aborted: " + destination);
        }
        checkDestination(destination, overwrite);
        try {
            Path old = null;
            if (Files.exists(destination)) {
                old = sibling(destination, "old");
                move(destination, old);
            }
            move(staging, destination);
            done = true;
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + staging + " to " + destination, e);
        }
    }

    /** Deletes the staging directory unless committed. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            deleteRecursively(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the staging directory " + staging, e);
        }
    }

    /**
     * Fails early, before a long import, when {@link #create} or {@link #commit} would fail.
     *
     * @throws IllegalArgumentException if {@code destination} exists and {@code overwrite} is false
     */
    public static void checkDestination(Path destination, boolean overwrite) {
        if (!overwrite && Files.exists(destination)) {
            throw new IllegalArgumentException(destination.toAbsolutePath().normalize() + " already exists; remove it or allow overwriting (--overwrite on the command line)");
        }
    }

    private static Path sibling(Path target, String kind) {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return target.resolveSibling("." + target.getFileName() + "." + kind + "-" + HexFormat.of().formatHex(random));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
