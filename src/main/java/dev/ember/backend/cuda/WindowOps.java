package dev.ember.backend.cuda;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import dev.ember.core.Layout;

/** im2col, col2im and max pooling on conv.cu. */
final class WindowOps {
    private static final String MODULE = "conv";

    private final CudaContext ctx;

    WindowOps(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** {@code struct Window} of conv.cu. */
    private static int[] window(ConvGeometry g) {
        return new int[] {g.channels(), g.inH(), g.inW(), g.kH(), g.kW(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.dilH(), g.dilW(), g.outH(), g.outW()};
    }

    /** {@code struct Cols} of conv.cu: where column entry (n, row, l) sits; l has stride 1. */
    private static int[] columns(Layout cl, ConvGeometry g) {
        if (cl.rank() != 3 || cl.shape().size(1) != g.colRows() || cl.shape().size(2) != g.colCols()
                || g.colCols() > 1 && cl.stride(2) != 1) {
            throw new IllegalArgumentException("im2col/col2im: columns " + cl + " do not fit " + g
                    + " with a unit last stride");
        }
        return new int[] {cl.offset(), cl.stride(0), cl.stride(1)};
    }

    void im2col(Operand x, ConvGeometry g, float padValue, CudaStorage cols, Layout cl) {
        Layout xl = x.layout();
        requireFloat("im2col", x.dtype(), cols.dtype());
        if (xl.rank() != 4 || xl.shape().size(1) != g.channels() || xl.shape().size(2) != g.inH()
                || xl.shape().size(3) != g.inW()) {
            throw new IllegalArgumentException("im2col: input " + xl.shape() + " does not match " + g);
        }
        long total = (long) xl.shape().size(0) * g.colRows() * g.colCols();
        launch("im2col_f32", total, new KernelArgs().struct(window(g))
                .struct(xl.offset(), xl.stride(0), xl.stride(1), xl.stride(2), xl.stride(3))
                .struct(columns(cl, g)).pointer(x.address()).pointer(cols.address()).f32(padValue));
    }

    void col2im(CudaStorage cols, Layout cl, ConvGeometry g, CudaStorage x) {
        requireFloat("col2im", cols.dtype(), x.dtype());
        long total = (long) cl.shape().size(0) * g.channels() * g.inH() * g.inW();
        launch("col2im_f32", total, new KernelArgs().struct(window(g)).struct(columns(cl, g))
                .pointer(cols.address()).pointer(x.address()));
    }

    void maxPool2d(Operand x, ConvGeometry g, CudaStorage out, CudaStorage indices) {
        Layout xl = x.layout();
        requireFloat("max_pool2d", x.dtype(), out.dtype());
        if (indices.dtype() != DType.INT64 || xl.rank() != 4 || xl.shape().size(1) != g.channels()
                || xl.shape().size(2) != g.inH() || xl.shape().size(3) != g.inW()) {
            throw new IllegalArgumentException("max_pool2d: input " + xl.shape() + " and int64 indices expected for " + g);
        }
        long total = (long) xl.shape().size(0) * g.channels() * g.outH() * g.outW();
        launch("max_pool2d_f32", total, new KernelArgs().struct(window(g))
                .struct(xl.offset(), xl.stride(0), xl.stride(1), xl.stride(2), xl.stride(3))
                .pointer(x.address()).pointer(out.address()).pointer(indices.address()));
    }

    private void launch(String kernel, long total, KernelArgs args) {
        if (total > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException(kernel + ": " + total + " elements exceed 2^31-1");
        }
        if (total > 0) {
            ctx.launch(MODULE, kernel, LaunchConfig.elementwise(total, ctx.multiprocessors()), args.i32((int) total));
        }
    }

    private static void requireFloat(String op, DType a, DType b) {
        if (a != DType.FLOAT32 || b != DType.FLOAT32) {
            throw new UnsupportedOperationException(op + " on CUDA takes float32, got " + a.torchName() + " and "
                    + b.torchName());
        }
    }
}
