package dev.ember.tensor;

import dev.ember.core.DType;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's tensor printing ({@code torch/_tensor_str.py} with default print options: precision 4,
 * line width 80, summarised above 1000 elements with 3 edge items), so printed Ember tensors read
 * like printed PyTorch ones. Numbers round as Python's format does (exact value, half-even).
 */
final class TensorFormatter {
    private static final int PRECISION = 4;
    private static final int LINE_WIDTH = 80;
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final String PREFIX = "tensor(";

    private final DType dtype;
    private boolean intMode = true;
    private boolean sciMode;
    private int maxWidth = 1;

    private TensorFormatter(DType dtype, double[] values) {
        this.dtype = dtype;
        if (dtype != DType.FLOAT32) {
            for (double v : values) {
                maxWidth = Math.max(maxWidth, plain(v).length());
            }
            return;
        }
        List<Double> finite = new ArrayList<>();
        for (double v : values) {
            if (Double.isFinite(v) && v != 0) {
                finite.add(v);
            }
        }
        if (finite.isEmpty()) {
            return;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double v : finite) {
            min = Math.min(min, Math.abs(v));
            max = Math.max(max, Math.abs(v));
            if (v != Math.ceil(v)) {
                intMode = false;
            }
        }
        sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);
        for (double v : finite) {
            String s = sciMode ? sci(v) : intMode ? fixed(v, 0) + "." : fixed(v, PRECISION);
            maxWidth = Math.max(maxWidth, s.length());
        }
    }

    static String format(Tensor t) {
        double[] all = values(t);
        boolean summarize = t.numel() > THRESHOLD;
        TensorFormatter f = new TensorFormatter(t.dtype(), summarize ? summarized(t) : all);
        String body;
        if (t.numel() == 0) {
            body = "[]";
        } else {
            body = f.tensorStr(all, t.shape().toArray(), summarize);
        }
        List<String> suffixes = new ArrayList<>();
        if (t.device().isCuda()) {
            suffixes.add("device='" + t.device() + "'");
        }
        if (t.numel() == 0) {
            if (t.dim() != 1) {
                suffixes.add("size=" + pythonTuple(t.shape().toArray()));
            }
            // no element shows whether it is an integer, so an empty tensor names any non-default dtype
            if (t.dtype() != DType.FLOAT32) {
                suffixes.add("dtype=torch." + t.dtype().torchName());
            }
        }
        if (t.gradFn() != null) {
            suffixes.add("grad_fn=<" + t.gradFn().name() + ">");
        } else if (t.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        return addSuffixes(PREFIX + body, suffixes);
    }

    private static String pythonTuple(int[] dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i > 0 ? ", " : "").append(dims[i]);
        }
        return sb.append(dims.length == 1 ? ",)" : ")").toString();
    }

    private static String addSuffixes(String str, List<String> suffixes) {
        StringBuilder sb = new StringBuilder(str);
        int lastLine = str.length() - str.lastIndexOf('\n') + 1;
        for (String s : suffixes) {
            if (lastLine + s.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(PREFIX.length())).append(s);
                lastLine = PREFIX.length() + s.length();
            } else {
                sb.append(", ").append(s);
                lastLine += s.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    private static double[] values(Tensor t) {
        if (t.dtype() == DType.INT64) {
            long[] l = t.toLongArray();
            double[] d = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                d[i] = l[i];
            }
            return d;
        }
        float[] f = t.detach().toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The values that are printed when summarising: edge items of every dim. */
    private static double[] summarized(Tensor t) {
        List<Double> out = new ArrayList<>();
        collectEdges(values(t), 0, t.shape().toArray(), 0, out);
        double[] d = new double[out.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = out.get(i);
        }
        return d;
    }

    private static void collectEdges(double[] all, int base, int[] dims, int d, List<Double> out) {
        int stride = 1;
        for (int k = d + 1; k < dims.length; k++) {
            stride *= dims[k];
        }
        for (int i = 0; i < dims[d]; i++) {
            if (dims[d] > 2 * EDGE_ITEMS && i >= EDGE_ITEMS && i < dims[d] - EDGE_ITEMS) {
                continue;
            }
            if (d == dims.length - 1) {
                out.add(all[base + i]);
            } else {
                collectEdges(all, base + i * stride, dims, d + 1, out);
            }
        }
    }

    private String tensorStr(double[] all, int[] dims, boolean summarize) {
        return dims.length == 0 ? format(all[0]) : subStr(all, 0, dims, 0, PREFIX.length(), summarize);
    }

    private String subStr(double[] all, int base, int[] dims, int d, int indent, boolean summarize) {
        int n = dims[d];
        int stride = 1;
        for (int k = d + 1; k < dims.length; k++) {
            stride *= dims[k];
        }
        boolean cut = summarize && n > 2 * EDGE_ITEMS;
        if (d == dims.length - 1) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (cut && i == EDGE_ITEMS) {
                    items.add(" ...");
                    i = n - EDGE_ITEMS - 1;
                    continue;
                }
                items.add(format(all[base + i]));
            }
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (maxWidth + 2));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < items.size(); i += perLine) {
                lines.add(String.join(", ", items.subList(i, Math.min(items.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }
        List<String> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (cut && i == EDGE_ITEMS) {
                slices.add("...");
                i = n - EDGE_ITEMS - 1;
                continue;
            }
            slices.add(subStr(all, base + i * stride, dims, d + 1, indent + 1, summarize));
        }
        String sep = "," + "\n".repeat(dims.length - d - 1) + " ".repeat(indent + 1);
        return "[" + String.join(sep, slices) + "]";
    }

    private String format(double v) {
        String s;
        if (dtype == DType.FLOAT32) {
            if (sciMode) {
                s = sci(v);
            } else if (intMode) {
                s = Double.isFinite(v) ? fixed(v, 0) + "." : plain(v);
            } else {
                s = fixed(v, PRECISION);
            }
        } else {
            s = plain(v);
        }
        return " ".repeat(Math.max(0, maxWidth - s.length())) + s;
    }

    private String plain(double v) {
        if (dtype == DType.BOOL) {
            return v != 0 ? "True" : "False";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return dtype == DType.INT64 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String fixed(double v, int digits) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        // BigDecimal has no negative zero; Python prints -0.0000 for small negatives and -0.0
        return Math.copySign(1.0, v) < 0 && !s.startsWith("-") ? "-" + s : s;
    }

    /** Python's {@code '{:.4e}'}: mantissa with four decimals, exponent with sign and at least two digits. */
    private static String sci(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return (1 / v < 0 ? "-" : "") + "0." + "0".repeat(PRECISION) + "e+00";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        BigDecimal mantissa = rounded.movePointLeft(exponent).setScale(PRECISION, RoundingMode.HALF_EVEN);
        String exp = String.format("%02d", Math.abs(exponent));
        return mantissa.toPlainString() + "e" + (exponent < 0 ? "-" : "+") + exp;
    }
}
