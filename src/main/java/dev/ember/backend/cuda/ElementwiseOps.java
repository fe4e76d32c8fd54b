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

    private final CudaContext ctx;

    ElementwiseOps(CudaContext ctx) {
        this.ctx = ctx;
    }

    void fill(Operand dst, double value) {
        StridedArgs s = StridedArgs.of(dst.layout());
        KernelArgs args = new KernelArgs().struct(s.dims()).struct(s.operands()).pointer(dst.address());
        if (dst.isLong()) {
            args.i64((long) value);
        } else {
            args.f32((float) value);
        }
        launch("fill_" + CudaContext.suffix(dst.dtype()), s, args);
    }

    /** Copies element by element; to BOOL means "nonzero" unless the source is BOOL already. */
    void copy(Operand src, Operand dst) {
        String to = dst.dtype() == DType.BOOL && src.dtype() != DType.BOOL ? "bool" : CudaContext.suffix(dst.dtype());
        StridedArgs s = StridedArgs.of(src.layout(), dst.layout());
        launch("copy_" + CudaContext.suffix(src.dtype()) + "_" + to, s,
                new KernelArgs().struct(s.dims()).struct(s.operands()).pointer(src.address()).pointer(dst.address()));
    }

    void unary(UnaryOp op, double a, double b, Operand x, Operand out, Temps temps) {
        String name = "unary_" + op.name().toLowerCase(Locale.ROOT);
        if (x.isLong() && out.isLong() && LONG_UNARY.contains(op) && integral(a) && integral(b)) {
            StridedArgs s = StridedArgs.of(x.layout(), out.layout());
            launch(name + "_i64", s, new KernelArgs().struct(s.dims()).struct(s.operands()).pointer(x.address())
                    .pointer(out.address()).i64(Double.isNaN(a) ? Long.MIN_VALUE : (long) a)
                    .i64(Double.isNaN(b) ? Long.MAX_VALUE : (long) b));
            return;
        }
        Operand xf = converted(x, DType.FLOAT32, temps);
        Operand target = out.isLong() ? contiguousTemp(out.layout(), temps) : out;
        StridedArgs s = StridedArgs.of(xf.layout(), target.layout());
        launch(name + "_f32", s, new KernelArgs().struct(s.dims()).struct(s.operands()).pointer(xf.address())
                .pointer(target.address()).f32((float) a).f32((float) b));
        if (target != out) {
            copy(target, out);
        }
    }

    void binary(BinaryOp op, Operand x, Operand y, Operand out, Temps temps) {
        String name = "binary_" + op.name().toLowerCase(Locale.ROOT);
        boolean longInputs = x.isLong() && y.isLong();
        if (longInputs && (op.isComparison() ? !out.isLong() : out.isLong())) {
            launchBinary(name + "_i64", x, y, out);
            return;
        }
        Operand xf = converted(x, DType.FLOAT32, temps);
        Operand yf = converted(y, DType.FLOAT32, temps);
        Operand target = out.isLong() ? contiguousTemp(out.layout(), temps) : out;
        launchBinary(name + "_f32", xf, yf, target);
        if (target != out) {
            copy(target, out);
        }
    }

    private void launchBinary(String kernel, Operand x, Operand y, Operand out) {
        StridedArgs s = StridedArgs.of(x.layout(), y.layout(), out.layout());
        launch(kernel, s, new KernelArgs().struct(s.dims()).struct(s.operands()).pointer(x.address())
                .pointer(y.address()).pointer(out.address()));
    }

    void where(Operand cond, Operand x, Operand y, Operand out, Temps temps) {
        DType values = out.isLong() ? DType.INT64 : DType.FLOAT32;
        Operand c = converted(cond, DType.FLOAT32, temps);
        Operand xv = converted(x, values, temps);
        Operand yv = converted(y, values, temps);
        StridedArgs s = StridedArgs.of(c.layout(), xv.layout(), yv.layout(), out.layout());
        launch("where_" + CudaContext.suffix(values), s, new KernelArgs().struct(s.dims()).struct(s.operands())
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

    /** Appends the element count and launches over the whole iteration space, if it is not empty. */
    private void launch(String kernel, StridedArgs s, KernelArgs args) {
        if (s.numel() == 0) {
            return;
        }
        ctx.launch(MODULE, kernel, LaunchConfig.elementwise(s.numel(), ctx.multiprocessors()), args.i32(s.numel()));
    }
}
