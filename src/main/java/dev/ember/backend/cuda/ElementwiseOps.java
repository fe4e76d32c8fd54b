package dev.ember.backend.cuda;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Layout;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * fill, copy, unary, binary and where on elementwise.cu. Kernels exist for float math (f32) and
 * for the ops that keep int64 exact (i64); any other dtype mix is converted the way CpuBackend
 * computes it: INT64 inputs read as float, and a float result stored to INT64 truncates.
 */
final class ElementwiseOps {
    private static final String MODULE = "elementwise";

    /** Unary ops with an int64 kernel; they stay exact only with integral scalars. */
    private static final Set<UnaryOp> LONG_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU,
            UnaryOp.ADD_SCALAR, UnaryOp.MUL_SCALAR, UnaryOp.CLAMP);

    /** Kernel names by op ordinal, made once: [f32, i64, f32 contiguous, i64 contiguous]. */
    private static final String[][] UNARY_KERNELS = kernelNames("unary_", UnaryOp.values());
    private static final String[][] BINARY_KERNELS = kernelNames("binary_", BinaryOp.values());
    private static final int F32 = 0;
    private static final int I64 = 1;
    private static final int CONTIGUOUS = 2;

    private final CudaContext ctx;

    ElementwiseOps(CudaContext ctx) {
        this.ctx = ctx;
    }

    void fill(Operand dst, double value) {
        if (dst.layout().isContiguous()) {
            int n = dst.layout().shape().numel();
            KernelArgs args = new KernelArgs().pointer(start(dst));
            if (dst.isLong()) {
                args.i64((long) value);
            } else {
                args.f32((float) value);
            }
            launchContiguous(dst.isLong() ? "fill_i64_c" : "fill_f32_c", n, args);
            return;
        }
        StridedArgs s = StridedArgs.of(dst.layout());
        KernelArgs args = new KernelArgs().strided(s).pointer(dst.address());
        if (dst.isLong()) {
            args.i64((long) value);
        } else {
            args.f32((float) value);
        }
        launch("fill_" + CudaContext.suffix(dst.dtype()), s, args);
    }

    /** Copies element by element; to BOOL means "nonzero" unless the source is BOOL already. */
    void copy(Operand src, Operand dst) {
        String kernel = copyKernel(src.dtype(), dst.dtype());
        if (contiguous(src, dst)) {
            launchContiguous(kernel + "_c", src.layout().shape().numel(),
                    new KernelArgs().pointer(start(src)).pointer(start(dst)));
            return;
        }
        StridedArgs s = StridedArgs.of(src.layout(), dst.layout());
        launch(kernel, s,
                new KernelArgs().strided(s).pointer(src.address()).pointer(dst.address()));
    }

    void unary(UnaryOp op, double a, double b, Operand x, Operand out, Temps temps) {
        String[] names = UNARY_KERNELS[op.ordinal()];
        if (x.isLong() && out.isLong() && LONG_UNARY.contains(op) && integral(a) && integral(b)) {
            long la = Double.isNaN(a) ? Long.MIN_VALUE : (long) a;
            long lb = Double.isNaN(b) ? Long.MAX_VALUE : (long) b;
            if (contiguous(x, out)) {
                launchContiguous(names[I64 + CONTIGUOUS], x.layout().shape().numel(),
                        new KernelArgs().pointer(start(x)).pointer(start(out)).i64(la).i64(lb));
                return;
            }
            StridedArgs s = StridedArgs.of(x.layout(), out.layout());
            launch(names[I64], s, new KernelArgs().strided(s).pointer(x.address())
                    .pointer(out.address()).i64(la).i64(lb));
            return;
        }
        Operand xf = converted(x, DType.FLOAT32, temps);
        Operand target = out.isLong() ? contiguousTemp(out.layout(), temps) : out;
        if (contiguous(xf, target)) {
            launchContiguous(names[F32 + CONTIGUOUS], xf.layout().shape().numel(), new KernelArgs()
                    .pointer(start(xf)).pointer(start(target)).f32((float) a).f32((float) b));
        } else {
            StridedArgs s = StridedArgs.of(xf.layout(), target.layout());
            launch(names[F32], s, new KernelArgs().strided(s).pointer(xf.address())
                    .pointer(target.address()).f32((float) a).f32((float) b));
        }
        if (target != out) {
            copy(target, out);
        }
    }

    void binary(BinaryOp op, Operand x, Operand y, Operand out, Temps temps) {
        String[] names = BINARY_KERNELS[op.ordinal()];
        boolean longInputs = x.isLong() && y.isLong();
        if (longInputs && (op.isComparison() ? !out.isLong() : out.isLong())) {
            launchBinary(names, I64, x, y, out);
            return;
        }
        Operand xf = converted(x, DType.FLOAT32, temps);
        Operand yf = converted(y, DType.FLOAT32, temps);
        Operand target = out.isLong() ? contiguousTemp(out.layout(), temps) : out;
        launchBinary(names, F32, xf, yf, target);
        if (target != out) {
            copy(target, out);
        }
    }

    private void launchBinary(String[] names, int type, Operand x, Operand y, Operand out) {
        if (contiguous(x, out) && contiguous(y, out)) {
            launchContiguous(names[type + CONTIGUOUS], out.layout().shape().numel(),
                    new KernelArgs().pointer(start(x)).pointer(start(y)).pointer(start(out)));
            return;
        }
        StridedArgs s = StridedArgs.of(x.layout(), y.layout(), out.layout());
        launch(names[type], s, new KernelArgs().strided(s).pointer(x.address())
                .pointer(y.address()).pointer(out.address()));
    }

    void where(Operand cond, Operand x, Operand y, Operand out, Temps temps) {
        DType values = out.isLong() ? DType.INT64 : DType.FLOAT32;
        Operand c = converted(cond, DType.FLOAT32, temps);
        Operand xv = converted(x, values, temps);
        Operand yv = converted(y, values, temps);
        StridedArgs s = StridedArgs.of(c.layout(), xv.layout(), yv.layout(), out.layout());
        launch("where_" + CudaContext.suffix(values), s, new KernelArgs().strided(s)
                .pointer(c.address()).pointer(xv.address()).pointer(yv.address()).pointer(out.address()));
    }

    /**
     * {@code o} itself when it already has {@code dtype}'s element representation (BOOL counts as
     * FLOAT32), otherwise a contiguous converted copy that lives as long as {@code temps}.
     */
    Operand converted(Operand o, DType dtype, Temps temps) {
        if (o.isLong() == (dtype == DType.INT64)) {
            return o;
        }
        Layout contiguous = Layout.contiguous(o.layout().shape());
        Operand copy = new Operand(temps.allocate(dtype, contiguous.shape().numel()), contiguous);
        copy(o, copy);
        return copy;
    }

    private static Operand contiguousTemp(Layout like, Temps temps) {
        Layout contiguous = Layout.contiguous(like.shape());
        return new Operand(temps.allocate(DType.FLOAT32, contiguous.shape().numel()), contiguous);
    }

    private static boolean integral(double v) {
        return Double.isNaN(v) || v == Math.rint(v) && Math.abs(v) < 0x1p62;
    }

    /** Whether {@code a} and {@code b} have one shape and are both contiguous: the "_c" kernels apply. */
    private static boolean contiguous(Operand a, Operand b) {
        Layout al = a.layout();
        Layout bl = b.layout();
        return (al == bl || al.shape().equals(bl.shape())) && al.isContiguous() && bl.isContiguous();
    }

    /** The device address of {@code o}'s first element. */
    private static long start(Operand o) {
        return o.address() + (long) o.layout().offset() * (o.isLong() ? 8 : 4);
    }

    private static String copyKernel(DType from, DType to) {
        boolean longFrom = from == DType.INT64;
        if (to == DType.BOOL && from != DType.BOOL) {
            return longFrom ? "copy_i64_bool" : "copy_f32_bool";
        }
        boolean longTo = to == DType.INT64;
        return longFrom ? (longTo ? "copy_i64_i64" : "copy_i64_f32") : (longTo ? "copy_f32_i64" : "copy_f32_f32");
    }

    private static String[][] kernelNames(String prefix, Enum<?>[] ops) {
        String[][] names = new String[ops.length][];
        for (Enum<?> op : ops) {
            String base = prefix + op.name().toLowerCase(Locale.ROOT);
            names[op.ordinal()] = new String[] {base + "_f32", base + "_i64", base + "_f32_c", base + "_i64_c"};
        }
        return names;
    }

    /**
     * Launches a "_c" kernel over {@code n} contiguous elements, appending the count; the f32 ones
     * move four elements per thread, so the grid is sized for n/4 threads.
     */
    private void launchContiguous(String kernel, int n, KernelArgs args) {
        if (n == 0) {
            return;
        }
        ctx.launch(MODULE, kernel, LaunchConfig.elementwise((n + 3L) / 4, ctx.multiprocessors()), args.i32(n));
    }

    /** Appends the element count and launches over the whole iteration space, if it is not empty. */
    private void launch(String kernel, StridedArgs s, KernelArgs args) {
        if (s.numel() == 0) {
            return;
        }
        ctx.launch(MODULE, kernel, LaunchConfig.elementwise(s.numel(), ctx.multiprocessors()), args.i32(s.numel()));
    }
}
