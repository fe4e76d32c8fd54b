package dev.ember.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The page around the report's sections: styles, a content security policy that lets the page load
 * nothing but its own inline pictures, style and script, and the script that tells a browser test
 * whether every picture decoded.
 */
final class PageTemplate {
    private static final String STYLE = """
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px;
                   color: #222; max-width: 1400px; }
            h1 { font-size: 24px; margin-bottom: 4px; }
            h2 { font-size: 19px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
            .sub { color: #666; margin-top: 0; }
            .note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 8px 12px; }
            .warn { background: #fdecea; border-left: 4px solid #d9534f; padding: 8px 12px; }
            table { border-collapse: collapse; margin: 8px 0; }
            th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
            th { background: #f4f4f4; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr.best td { background: #e3f5e1; font-weight: bold; }
            dl.figures { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
            dl.figures dt { color: #555; }
            dl.figures dd { margin: 0; font-weight: bold; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
            .grid { display: flex; flex-wrap: wrap; gap: 10px; }
            figure.sample { margin: 0; border: 2px solid #cfe3cf; border-radius: 4px; padding: 2px;
                            width: min-content; }
            figure.sample.wrong { border-color: #e8a3a0; }
            figure.sample figcaption { font-size: 12px; padding: 2px 4px; }
            img { display: block; }
            """;

    private static final String IMAGE_CHECK = """
            window.addEventListener('load', function () {
              var images = Array.prototype.slice.call(document.images);
              var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
              document.body.setAttribute('data-image-count', String(images.length));
              document.body.setAttribute('data-images-ok', broken.length === 0 ? 'true' : 'false');
            });
            """;

    private PageTemplate() {
    }

    static String head(String title) {
        String csp = "default-src 'none'; img-src data:; style-src " + hash(STYLE) + "; script-src "
                + hash(IMAGE_CHECK);
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp + "\">\n"
                + "<title>" + Html.escape(title) + "</title>\n<style>" + STYLE + "</style>\n</head>\n";
    }

    static String imageCheckScript() {
        return "<script>" + IMAGE_CHECK + "</script>\n";
    }

    /** A CSP source allowing exactly this inline block. */
    private static String hash(String inline) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
