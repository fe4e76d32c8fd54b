package dev.ember.report;

import dev.ember.io.Json;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test-side reading of a rendered report.html: its JSON block, tagged elements and embedded pictures. */
final class ReportPage {
    private static final Pattern RUN_DATA =
            Pattern.compile("<script type=\"application/json\" id=\"run-data\">(.*?)</script>", Pattern.DOTALL);
    private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]*)\" alt=\"([^\"]*)\" width=\"(\\d+)\" "
            + "height=\"(\\d+)\">");
    private static final String PNG_PREFIX = "data:image/png;base64,";

    final String html;

    ReportPage(String html) {
        this.html = html;
    }

    Map<String, Object> runData() {
        Matcher m = RUN_DATA.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no run-data JSON block in the page");
        }
        return Json.parseObject(m.group(1));
    }

    /** The page text between {@code <section id="id"} and its closing tag. */
    String section(String id) {
        int start = html.indexOf("<section id=\"" + id + "\"");
        if (start < 0) {
            throw new AssertionError("no section " + id);
        }
        return html.substring(start, html.indexOf("</section>", start));
    }

    List<String> all(String regex, String in) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(in);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    record Picture(String alt, int width, int height, BufferedImage image) {
    }

    /** Every img element, its PNG decoded; fails on anything that is not an embedded PNG. */
    List<Picture> pictures(String in) {
        List<Picture> out = new ArrayList<>();
        Matcher m = IMG.matcher(in);
        while (m.find()) {
            String src = m.group(1);
            if (!src.startsWith(PNG_PREFIX)) {
                String start = src.substring(0, Math.min(60, src.length()));
                throw new AssertionError("image is not an embedded PNG: " + start);
            }
            byte[] png = Base64.getDecoder().decode(src.substring(PNG_PREFIX.length()));
            try {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
                if (image == null) {
                    throw new AssertionError("ImageIO cannot decode the picture '" + m.group(2) + "'");
                }
                out.add(new Picture(m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), image));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
