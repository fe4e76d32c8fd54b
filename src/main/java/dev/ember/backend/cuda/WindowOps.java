package dev.ember.backend.cuda;

import dev.ember.backend.ConvGeometry;
import dev.ember.core.DType;
import dev.ember.core.Layout;

/** im2col and col2im on conv.cu. */
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

    void im2col(Operand x, ConvGeometry g, float padValue, CudaStorage cols) {
        Layout xl = x.layout();
        requireFloat("im2col", x.dtype(), cols.dtype());
        if (xl.rank() != 4 || xl.shape().size(1) != g.channels() || xl.shape().size(2) != g.inH()
                || xl.shape().size(3) != g.inW()) {
            throw new IllegalArgumentException("im2col: input " + xl.shape() + " does not match " + g);
        }
        long total = (long) xl.shape().size(0) * g.colRows() * g.colCols();
        launch("im2col_f32", total, new KernelArgs().struct(window(g))
                .struct(xl.offset(), xl.stride(0), xl.stride(1), xl.stride(2), xl.stride(3))
                .pointer(x.address()).pointer(cols.address()).f32(padValue));
    }

    void col2im(CudaStorage cols, ConvGeometry g, int batch, CudaStorage x) {
        requireFloat("col2im", cols.dtype(), x.dtype());
        long total = (long) batch * g.channels() * g.inH() * g.inW();
        launch("col2im_f32", total, new KernelArgs().struct(window(g)).pointer(cols.address()).pointer(x.address()));
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
