package dev.ember.cli;

import dev.ember.report.JobFile;
import dev.ember.report.MetricsFile;
import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {
    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new ReportCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void writesTheReportIntoTheRunDirectory() {
        JobFile.write(dir.resolve("job.json"), Map.of("model", "mlp"));
        MetricsFile.append(dir.resolve("metrics.jsonl"), new EpochMetrics(1, 0.5, 0.4, 0.9, 100, 1, 0.1));
        assertEquals(0, run(dir.toString()), err.toString());
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));
        assertEquals("wrote " + dir.resolve("report.html"), out.toString().strip());
    }

    @Test
    void aBrokenRunDirectoryExitsWithOneAndNamesTheFile() {
        JobFile.write(dir.resolve("job.json"), Map.of("model", "mlp"));
        assertEquals(1, run(dir.toString()));
        assertTrue(err.toString().startsWith("ember report: " + dir.resolve("metrics.jsonl") + ": no such file"),
                err.toString());
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err.toString().contains("Missing required parameter: 'RUN_DIR'"), err.toString());
    }
}
