package dev.ember.bench;

import dev.ember.backend.Backend;
import dev.ember.backend.cpu.CpuBackend;
import dev.ember.core.DType;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.Storage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPU check's step profiler, on the CPU backend: calls pass through, and only recorded ones are counted. */
class BackendProfileTest {

    private static List<String> printed(BackendProfile profile, int steps) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            profile.print("t", steps);
        } finally {
            System.setOut(stdout);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void recordedCallsAreCountedPerStepWithTheirShapesAndResultsPassThrough() {
        int[] waits = {0};
        BackendProfile profile = BackendProfile.wrap(CpuBackend.INSTANCE, () -> waits[0]++);
        Backend b = profile.proxy();
        Layout x = Layout.contiguous(Shape.of(1, 2, 3));
        Layout y = Layout.contiguous(Shape.of(1, 3, 1));
        Layout out = Layout.contiguous(Shape.of(1, 2, 1));
        Storage xs = b.upload(new float[] {1, 2, 3, 4, 5, 6}, DType.FLOAT32);
        Storage ys = b.upload(new float[] {1, 1, 1}, DType.FLOAT32);
        Storage os = b.allocate(DType.FLOAT32, 2);
        b.matmul(xs, x, ys, y, os, out);  // not recorded
        profile.record(true);
        for (int i = 0; i < 4; i++) {
            b.matmul(xs, x, ys, y, os, out);
        }
        profile.record(false);
        assertArrayEquals(new float[] {6, 15}, b.downloadFloats(os), "the proxy returns the backend's results");
        assertEquals(8, waits[0], "the device is waited for before and after each recorded call");

        List<String> lines = printed(profile, 2);
        assertEquals(1, lines.size(), String.join("\n", lines));
        String line = lines.get(0);
        assertTrue(line.startsWith("PROF t "), line);
        assertTrue(line.endsWith("2.0 x matmul([1, 2, 3] [1, 3, 1] [1, 2, 1])"), line);

        profile.reset();
        assertEquals(List.of(), printed(profile, 2));
    }
}
