package dev.ember.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * How the report prints each kind of number, in one place so that every table, caption and chart
 * label agrees. {@link #exact} is the round-trip form for data-value attributes.
 */
final class Numbers {
    static final String NOT_MEASURED = "—";

    private Numbers() {
    }

    /** Losses, accuracies and probabilities: 4 decimals. */
    static String fixed4(double v) {
        return Double.isNaN(v) ? NOT_MEASURED : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Learning rates span decades (0.1 to 1e-6): 4 significant digits, never in E notation. */
    static String lr(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? NOT_MEASURED : Double.toString(v);
        }
        return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** Throughput in images per second: 1 decimal. */
    static String rate(double v) {
        return Double.isNaN(v) ? NOT_MEASURED : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Durations in seconds: 2 decimals. */
    static String seconds(double v) {
        return Double.isNaN(v) ? NOT_MEASURED : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The shortest text that parses back to exactly v (Double.parseDouble reads NaN and Infinity too). */
    static String exact(double v) {
        return Double.toString(v);
    }
}
