package dev.ember.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens a real run's report.html in headless Chromium: the page's own script reports whether every
 * picture decoded, and a screenshot of the whole page (4000 px tall, so that it includes the picture
 * grid) is kept as target/report-screenshot.png for people to look at.
 */
class ReportInBrowserTest {
    static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");
    static final Path REPORT_COPY = Path.of("target", "report-screenshot.html");

    @TempDir
    Path runDir;

    @Test
    void chromiumLoadsEveryPictureAndRendersThePage() throws IOException {
        var chromium = HeadlessChromium.find();
        assumeTrue(chromium.isPresent(), "chromium is not installed (apt-get install chromium): "
                + "skipping the browser check of report.html");
        TinyRun.write(runDir);
        Path report = ReportWriter.write(runDir);
        String html = Files.readString(report, StandardCharsets.UTF_8);
        int images = html.split("<img ", -1).length - 1;

        // The virtual time budget lets the load event (and the page's image check) run before the dump.
        HeadlessChromium.Result dom = chromium.get().open(report, "--dump-dom", "--virtual-time-budget=10000");
        assertEquals(0, dom.exitCode(), dom.stderr());
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom.stdout());
        assertTrue(body.find(), "no body in the DOM chromium dumped:\n" + dom.stdout());
        assertTrue(body.group(1).contains("data-images-ok=\"true\""), "a picture failed to load: " + body.group());
        assertTrue(body.group(1).contains("data-image-count=\"" + images + "\""), body.group());
        assertFalse(dom.stderr().contains("Content Security Policy"),
                "the page broke its own policy:\n" + dom.stderr());

        Files.createDirectories(SCREENSHOT.getParent());
        Files.deleteIfExists(SCREENSHOT);
        HeadlessChromium.Result shot = chromium.get().open(report, "--screenshot=" + SCREENSHOT.toAbsolutePath(),
                "--window-size=1280,4000", "--virtual-time-budget=10000");
        assertEquals(0, shot.exitCode(), shot.stderr());
        BufferedImage png = ImageIO.read(SCREENSHOT.toFile());
        assertNotNull(png, "chromium wrote no readable screenshot");
        assertEquals(1280, png.getWidth());
        Files.copy(report, REPORT_COPY, StandardCopyOption.REPLACE_EXISTING);
    }
}
