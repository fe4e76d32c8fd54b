package dev.ember.backend.cuda;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Storage;

import java.lang.ref.Reference;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The CUDA backend: Ember's own kernels (src/main/cuda, shipped as PTX) launched through the JCuda
 * driver API, with a caching allocator for device memory. Kernels are queued on one stream and the
 * host only waits where it reads results (downloads, {@link #synchronize()}); driver errors become
 * {@link CudaException}s naming the op.
 *
 * <p>Opened by {@code Backends.of(Device.cuda(n))}; TF32 tensor cores are off by default, as
 * PyTorch's {@code torch.backends.cuda.matmul.allow_tf32} is, and enabled per backend with
 * {@link #setAllowTf32} or for the process with {@code -Dember.cuda.allowTf32=true}.
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final CudaContext ctx;
    private final ElementwiseOps elementwise;
    private final ReductionOps reductions;
    private final MatmulOps matmuls;
    private final WindowOps windows;
    private final IndexOps indexing;
    private final FusedOptimizers optimizers;
    private volatile boolean allowTf32 = Boolean.getBoolean("ember.cuda.allowTf32");

    CudaBackend(Gpu gpu, int ordinal) {
        this.ctx = new CudaContext(gpu, Device.cuda(ordinal));
        this.elementwise = new ElementwiseOps(ctx);
        this.reductions = new ReductionOps(ctx, elementwise);
        this.matmuls = new MatmulOps(ctx, elementwise, reductions);
        this.windows = new WindowOps(ctx);
        this.indexing = new IndexOps(ctx);
        this.optimizers = new FusedOptimizers(ctx);
    }

    /** Opens device {@code ordinal}; called (reflectively) by {@code Backends}. */
    public static CudaBackend open(int ordinal) {
        return new CudaBackend(JCudaGpu.open(ordinal), ordinal);
    }

    /** The number of usable CUDA devices; 0 without a driver or a device (never throws). */
    public static int deviceCount() {
        return JCudaGpu.deviceCount();
    }

    public static boolean isAvailable() {
        return deviceCount() > 0;
    }

    /** The device's name, e.g. "NVIDIA H200". */
    public String deviceName() {
        return ctx.gpu.name();
    }

    /** Whether matmul may round its inputs to TF32 and use tensor cores (about 10 bits of mantissa). */
    public boolean allowTf32() {
        return allowTf32;
    }

    public void setAllowTf32(boolean allow) {
        this.allowTf32 = allow;
    }

    /** Waits for every queued kernel; raises errors they met. */
    public void synchronize() {
        run("synchronize", () -> {
            ctx.gpu.synchronize();
            indexing.check();
        });
    }

    /** Device memory held by live storages and by the cache, and how often cuMemAlloc was called. */
    public CudaMemoryStats memoryStats() {
        return ctx.allocator.stats();
    }

    /** Gives the cached free blocks back to the device (PyTorch's torch.cuda.empty_cache). */
    public void emptyCache() {
        run("emptyCache", ctx.allocator::emptyCache);
    }

    /** Waits for queued work and frees the cache; storages still open must not be used afterwards. */
    @Override
    public void close() {
        synchronize();
        ctx.allocator.emptyCache();
        ctx.gpu.close();
    }

    @Override
    public Device device() {
        return ctx.device;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return call("allocate", () -> {
            CudaStorage s = ctx.uninitialized(dtype, size);
            if (size > 0) {
                ctx.gpu.fill32(s.address(), 0, CudaStorage.bytes(dtype, size) / 4);
            }
            return s;
        });
    }

    @Override
    public Storage upload(float[] data, DType dtype) {
        if (dtype == DType.INT64) {
            throw new IllegalArgumentException("a float[] cannot back an int64 storage");
        }
        return call("upload", () -> {
            CudaStorage s = ctx.uninitialized(dtype, data.length);
            ctx.gpu.upload(s.address(), data);
            return s;
        });
    }

    @Override
    public Storage upload(long[] data) {
        return call("upload", () -> {
            CudaStorage s = ctx.uninitialized(DType.INT64, data.length);
            ctx.gpu.upload(s.address(), data);
            return s;
        });
    }

    @Override
    public float[] downloadFloats(Storage s) {
        CudaStorage c = ctx.cuda(s);
        if (c.dtype() == DType.INT64) {
            throw new IllegalArgumentException("downloadFloats of an int64 storage; use downloadLongs");
        }
        return call("download", () -> {
            float[] out = new float[c.size()];
            ctx.gpu.download(c.address(), out);
            indexing.check();
            return out;
        }, s);
    }

    @Override
    public long[] downloadLongs(Storage s) {
        CudaStorage c = ctx.cuda(s);
        if (c.dtype() != DType.INT64) {
            throw new IllegalArgumentException("downloadLongs of a " + c.dtype().torchName() + " storage");
        }
        return call("download", () -> {
            long[] out = new long[c.size()];
            ctx.gpu.download(c.address(), out);
            indexing.check();
            return out;
        }, s);
    }

    @Override
    public void fill(Storage dst, Layout dl, double value) {
        try {
            elementwise.fill(op(dst, dl), value);
        } catch (RuntimeException e) {
            throw named("fill", e);
        } finally {
            Reference.reachabilityFence(dst);
        }
    }

    @Override
    public void copy(Storage src, Layout sl, Storage dst, Layout dl) {
        try {
            elementwise.copy(op(src, sl), op(dst, dl));
        } catch (RuntimeException e) {
            throw named("copy", e);
        } finally {
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
        }
    }

    @Override
    public void unary(UnaryOp op, double a, double b, Storage x, Layout xl, Storage out, Layout ol) {
        Temps t = new Temps(ctx);
        try {
            elementwise.unary(op, a, b, op(x, xl), op(out, ol), t);
        } catch (RuntimeException e) {
            throw named(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            t.close();
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        Temps t = new Temps(ctx);
        try {
            elementwise.binary(op, op(x, xl), op(y, yl), op(out, ol), t);
        } catch (RuntimeException e) {
            throw named(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            t.close();
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(out);
        }
    }

    /** One fused pass over contiguous operands (optim.cu); other layouts take the composed default. */
    @Override
    public void sgdMomentum(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                            Storage p, Layout pl, Storage g, Layout gl, Storage buf, Layout bl) {
        if (!pl.isContiguous() || !gl.isContiguous() || !bl.isContiguous()) {
            Backend.super.sgdMomentum(lr, momentum, dampening, weightDecay, nesterov, p, pl, g, gl, buf, bl);
            return;
        }
        run("sgdMomentum", () -> optimizers.sgdMomentum(lr, momentum, dampening, weightDecay, nesterov,
                p, pl.offset(), g, gl.offset(), buf, bl.offset(), pl.shape().numel()), p, g, buf);
    }

    /** One fused pass over contiguous operands (optim.cu); other layouts take the composed default. */
    @Override
    public void adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                     double step, Storage p, Layout pl, Storage g, Layout gl, Storage m, Layout ml, Storage v,
                     Layout vl) {
        if (!pl.isContiguous() || !gl.isContiguous() || !ml.isContiguous() || !vl.isContiguous()) {
            Backend.super.adam(lr, beta1, beta2, eps, weightDecay, decoupled, step, p, pl, g, gl, m, ml, v, vl);
            return;
        }
        run("adam", () -> optimizers.adam(lr, beta1, beta2, eps, weightDecay, decoupled, step, p, pl.offset(), g,
                gl.offset(), m, ml.offset(), v, vl.offset(), pl.shape().numel()), p, g, m, v);
    }

    @Override
    public void where(Storage cond, Layout cl, Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        withTemps("where", t -> elementwise.where(op(cond, cl), op(x, xl), op(y, yl), op(out, ol), t),
                cond, x, y, out);
    }

    @Override
    public void reduce(ReduceOp op, Storage x, Layout xl, boolean[] dims, Storage out, Layout ol) {
        Temps t = new Temps(ctx);
        try {
            reductions.reduce(op, op(x, xl), dims, op(out, ol), t);
        } catch (RuntimeException e) {
            throw named("reduce " + op, e);
        } finally {
            t.close();
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void argReduce(ReduceOp op, Storage x, Layout xl, int dim, Storage values, Storage indices) {
        run("arg" + op.name().toLowerCase(Locale.ROOT), () -> reductions.argReduce(op, op(x, xl), dim, ctx.cuda(values),
                ctx.cuda(indices)), x, values, indices);
    }

    @Override
    public void matmul(Storage x, Layout xl, Storage y, Layout yl, Storage out, Layout ol) {
        Temps t = new Temps(ctx);
        try {
            matmuls.matmul(op(x, xl), op(y, yl), op(out, ol), allowTf32, t);
        } catch (RuntimeException e) {
            throw named("matmul", e);
        } finally {
            t.close();
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void im2col(Storage x, Layout xl, ConvGeometry g, float padValue, Storage cols, Layout cl) {
        run("im2col", () -> windows.im2col(op(x, xl), g, padValue, ctx.cuda(cols), cl), x, cols);
    }

    @Override
    public void col2im(Storage cols, Layout cl, ConvGeometry g, Storage x) {
        run("col2im", () -> windows.col2im(ctx.cuda(cols), cl, g, ctx.cuda(x)), cols, x);
    }

    @Override
    public void maxPool2d(Storage x, Layout xl, ConvGeometry g, Storage out, Storage indices) {
        run("max_pool2d", () -> windows.maxPool2d(op(x, xl), g, ctx.cuda(out), ctx.cuda(indices)), x, out, indices);
    }

    @Override
    public void gather(Storage x, Layout xl, int dim, Storage index, Layout il, Storage out, Layout ol) {
        run("gather", () -> indexing.gather(op(x, xl), dim, op(index, il), op(out, ol)), x, index, out);
    }

    @Override
    public void scatterAdd(Storage dst, Layout dl, int dim, Storage index, Layout il, Storage src, Layout sl) {
        run("scatter_add", () -> indexing.scatterAdd(op(dst, dl), dim, op(index, il), op(src, sl)), dst, index, src);
    }

    private Operand op(Storage s, Layout l) {
        return new Operand(ctx.cuda(s), l);
    }

    private void withTemps(String name, Consumer<Temps> body, Storage... operands) {
        run(name, () -> {
            try (Temps temps = new Temps(ctx)) {
                body.accept(temps);
            }
        }, operands);
    }

    private void run(String name, Runnable body, Storage... operands) {
        call(name, () -> {
            body.run();
            return null;
        }, operands);
    }

    /**
     * Runs one op, naming it in CUDA errors. The operands stay reachable until the op has queued its
     * kernels: otherwise the GC could hand a block back to the cache while its address is in flight.
     */
    private <T> T call(String name, Supplier<T> body, Storage... operands) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw named(name, e);
        } finally {
            Reference.reachabilityFence(operands);
        }
    }

    /**
     * A CUDA error of op {@code name}, renamed to say which op and device met it; other exceptions
     * as they are. The hot ops (elementwise, reduce, matmul) call this directly rather than going
     * through {@link #call}, so that a launch costs no lambda, varargs array or name string.
     */
    private RuntimeException named(String name, RuntimeException e) {
        if (e instanceof GpuOutOfMemoryException) {
            return new GpuOutOfMemoryException(name + " on " + ctx.device + ": " + e.getMessage());
        }
        if (e instanceof CudaException) {
            return new CudaException(name + " on " + ctx.device + " (" + ctx.gpu.name() + "): " + e.getMessage(), e);
        }
        return e;
    }
}
