package dev.ember.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails when a committed PTX file no longer matches its CUDA source, so nobody ships a kernel edit
 * without its PTX. Needs no CUDA toolkit: bin/build-ptx writes the sources' SHA-256 into the PTX.
 */
class PtxFreshnessTest {
    static final Path SOURCES = Path.of("src/main/cuda");
    static final Path PTX = Path.of("src/main/resources/dev/ember/cuda");
    private static final String HASH_PREFIX = "// ember-source-sha256: ";

    @Test
    void everyKernelSourceHasUpToDatePtx() throws IOException {
        List<Path> sources = list(SOURCES, ".cu");
        assertFalse(sources.isEmpty(), "no CUDA sources under " + SOURCES.toAbsolutePath());
        for (Path cu : sources) {
            String name = cu.getFileName().toString().replace(".cu", "");
            Path ptx = PTX.resolve(name + ".ptx");
            assertTrue(Files.exists(ptx), ptx + " is missing: run bin/build-ptx " + name);
            String firstLine = Files.readAllLines(ptx, StandardCharsets.US_ASCII).get(0);
            assertTrue(firstLine.startsWith(HASH_PREFIX), ptx + " has no source hash: regenerate it with bin/build-ptx");
            assertEquals(sourceHash(cu), firstLine.substring(HASH_PREFIX.length()).trim(),
                    ptx + " is stale: " + cu + " or a .cuh header changed since it was built; run bin/build-ptx " + name);
        }
    }

    @Test
    void everyPtxHasASource() throws IOException {
        for (Path ptx : list(PTX, ".ptx")) {
            String name = ptx.getFileName().toString().replace(".ptx", ".cu");
            assertTrue(Files.exists(SOURCES.resolve(name)), ptx + " has no source " + SOURCES.resolve(name) + "; delete it");
        }
    }

    /** SHA-256 of the .cu then every .cuh in name order, carriage returns dropped (as bin/build-ptx). */
    static String sourceHash(Path cu) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(Files.readAllBytes(cu));
        for (Path header : list(SOURCES, ".cuh")) {
            all.write(Files.readAllBytes(header));
        }
        byte[] bytes = all.toByteArray();
        ByteArrayOutputStream withoutCr = new ByteArrayOutputStream(bytes.length);
        for (byte b : bytes) {
            if (b != '\r') {
                withoutCr.write(b);
            }
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(withoutCr.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static List<Path> list(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
