package dev.ember.backend.cuda;

import dev.ember.core.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Scratch storages of one op, handed back to the cache when the op has queued its kernels. Kernels
 * still queued may read them afterwards; that is safe because the next owner of a block can only
 * touch it through work queued behind them on the same stream.
 */
final class Temps implements AutoCloseable {
    private final CudaContext ctx;
    private List<CudaStorage> held;  // made on the first allocation: most ops need none

    Temps(CudaContext ctx) {
        this.ctx = ctx;
    }

    CudaStorage allocate(DType dtype, int size) {
        CudaStorage s = ctx.uninitialized(dtype, size);
        if (held == null) {
            held = new ArrayList<>(4);
        }
        held.add(s);
        return s;
    }

    @Override
    public void close() {
        if (held != null) {
            for (CudaStorage s : held) {
                s.close();
            }
            held = null;
        }
    }
}
