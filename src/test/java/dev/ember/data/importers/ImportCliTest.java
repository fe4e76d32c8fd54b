package dev.ember.data.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.cli.ImportCommand;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ember import} end to end: arguments in, datasets or one-line errors out. */
class ImportCliTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ImportCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void folderWithResizeAndSplit() {
        ImageTree tree = ImageTree.write(tmp.resolve("tree"));
        Path dest = tmp.resolve("out");
        assertEquals(0, run("folder", tree.root().toString(), dest.toString(), "--resize", "6x4", "--val-fraction", "0.3",
                "--seed", "2", "--storage", "png"), err.toString());
        assertTrue(out.toString().contains("wrote " + dest.resolve("train") + ": 5 images, 3 classes, 1 file(s)"), out.toString());
        assertTrue(out.toString().contains("wrote " + dest.resolve("val") + ": 2 images, 3 classes, 1 file(s)"), out.toString());
        assertEquals(6, ParquetImageDataset.open(dest.resolve("val")).shape(0).height());
    }

    @Test
    void idxWithFashionClassNames() throws IOException {
        Path images = Files.write(tmp.resolve("i-idx3-ubyte"), Idx.images(0x803, 2, 2, 2, new byte[8]));
        Path labels = Files.write(tmp.resolve("l-idx1-ubyte"), Idx.gzip(Idx.labels(0x801, 2, new byte[] {9, 0})));
        Path dest = tmp.resolve("out");
        assertEquals(0, run("idx", images.toString(), dest.toString(), "--labels", labels.toString(), "--classes", "fashion-mnist"),
                err.toString());
        assertEquals("Ankle boot", ParquetImageDataset.open(dest).classNames().get(9));
        assertEquals(0, run("idx", images.toString(), dest.toString(), "--labels", labels.toString(), "--classes", "a, b,c,d,e,f,g,h,i,j",
                "--overwrite"), err.toString());
        assertEquals("b", ParquetImageDataset.open(dest).classNames().get(1));
    }

    @Test
    void badInputIsOneLineOnStderrAndExitCode1() throws IOException {
        Path images = Files.write(tmp.resolve("i-idx3-ubyte"), Idx.images(0x801, 2, 2, 2, new byte[8]));
        Path labels = Files.write(tmp.resolve("l-idx1-ubyte"), Idx.labels(0x801, 2, new byte[] {1, 0}));
        assertEquals(1, run("idx", images.toString(), tmp.resolve("out").toString(), "--labels", labels.toString()));
        assertEquals("error: " + images + ": magic number 0x00000801; expected 0x00000803 (IDX unsigned bytes, 3 dimensions)"
                + " for an image file", err.toString().strip());
        assertTrue(Files.notExists(tmp.resolve("out")));
    }

    @Test
    void existingDestinationNeedsOverwrite() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("out"));
        assertEquals(1, run("mnist-json", TestData.DIGITS.toString(), dest.toString()));
        assertEquals("error: " + dest.toAbsolutePath() + " already exists; remove it or allow overwriting (--overwrite on the command line)",
                err.toString().strip());
    }

    @Test
    void usageErrors() {
        assertEquals(2, run("folder", "only-one-argument"));
        assertTrue(err.toString().contains("Missing required parameter"), err.toString());
        assertEquals(2, run());
        assertEquals(1, run("folder", tmp.toString(), tmp.resolve("o").toString(), "--resize", "big"));
        assertTrue(err.toString().contains("--resize expects HxW, e.g. 32x32, got 'big'"), err.toString());
    }
}
