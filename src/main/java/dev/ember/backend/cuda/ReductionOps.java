package dev.ember.backend.cuda;

import dev.ember.backend.ReduceOp;
import dev.ember.core.DType;
import dev.ember.core.Layout;

import java.util.Locale;

/** reduce and argReduce on reduce.cu, planned by {@link ReducePlan} and {@link ArgReducePlan}. */
final class ReductionOps {
    private static final String MODULE = "reduce";

    private final CudaContext ctx;
    private final ElementwiseOps elementwise;

    ReductionOps(CudaContext ctx, ElementwiseOps elementwise) {
        this.ctx = ctx;
        this.elementwise = elementwise;
    }

    /** Reduces in the output's element type; a BOOL sum into INT64 counts exactly. */
    void reduce(ReduceOp op, Operand x, boolean[] dims, Operand out, Temps temps) {
        boolean[] reduced = ReducePlan.reducedDims(x.layout(), dims, out.layout());
        if (out.isLong() && x.dtype() == DType.FLOAT32) {
            // CpuBackend reduces the floats and truncates the result, not the elements
            Layout shape = Layout.contiguous(out.layout().shape());
            Operand floats = new Operand(temps.allocate(DType.FLOAT32, shape.shape().numel()), shape);
            reduce(op, x, reduced, floats, temps);
            elementwise.copy(floats, out);
            return;
        }
        DType type = out.isLong() ? DType.INT64 : DType.FLOAT32;
        Operand xs = elementwise.converted(x, type, temps);
        if (out.layout().shape().numel() == 0) {
            return;
        }
        if (xs.layout().shape().numel() == 0) {  // nothing to reduce: the identity, as CpuBackend gives
            elementwise.fill(out, op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX
                    ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            return;
        }
        ReducePlan plan = ReducePlan.of(xs.layout(), reduced, out.layout(), ctx.multiprocessors());
        String suffix = op.name().toLowerCase(Locale.ROOT) + "_" + CudaContext.suffix(type);
        long partials = 0;
        if (plan.splits() > 1) {
            partials = temps.allocate(DType.INT64, plan.numOut() * plan.splits()).address();  // 8 bytes per partial
        }
        if (plan.rows()) {
            ctx.launch(MODULE, "reduce_rows_" + suffix, plan.launch(),
                    new KernelArgs().strided(plan.outer()).pointer(xs.address()).pointer(out.address())
                            .pointer(partials).i32(plan.numOut()).i32(plan.length()).i32(plan.chunk()));
        } else {
            ctx.launch(MODULE, (plan.blockPerOutput() ? "reduce_block_" : "reduce_thread_") + suffix, plan.launch(),
                    new KernelArgs().strided(plan.outer()).strided(plan.inner())
                            .pointer(xs.address()).pointer(out.address()).pointer(partials)
                            .i32(plan.numOut()).i32(plan.length()).i32(plan.chunk()));
        }
        if (plan.splits() > 1) {
            ctx.launch(MODULE, "reduce_finish_" + suffix,
                    LaunchConfig.elementwise(plan.numOut(), ctx.multiprocessors()),
                    new KernelArgs().strided(plan.outer())
                            .pointer(partials).pointer(out.address()).i32(plan.numOut()).i32(plan.splits()));
        }
    }

    /** values (x's dtype) and INT64 indices, contiguous in keepdim form. */
    void argReduce(ReduceOp op, Operand x, int dim, CudaStorage values, CudaStorage indices) {
        if (op == ReduceOp.SUM) {
            throw new IllegalArgumentException("argReduce takes MAX or MIN, not SUM");
        }
        if (x.layout().shape().numel() == 0 && x.layout().shape().size(dim) != 0) {
            return;  // no rows at all
        }
        ArgReducePlan plan = ArgReducePlan.of(x.layout(), dim, ctx.multiprocessors());
        ctx.launch(MODULE, (plan.blockPerOutput() ? "argreduce_block_" : "argreduce_thread_")
                        + op.name().toLowerCase(Locale.ROOT) + "_" + CudaContext.suffix(x.dtype()), plan.launch(),
                new KernelArgs().strided(plan.outer())
                        .i32(plan.dimStride()).i32(plan.length()).pointer(x.address()).pointer(values.address())
                        .pointer(indices.address()).i32(plan.numOut()));
    }
}
