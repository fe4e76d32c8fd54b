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
    private final List<CudaStorage> held = new ArrayList<>();

    Temps(CudaContext ctx) {
        this.ctx = ctx;
    }

    CudaStorage allocate(DType dtype, int size) {
        CudaStorage s = ctx.uninitialized(dtype, size);
        held.add(s);
        return s;
    }

    @Override
    public void close() {
        held.forEach(CudaStorage::close);
        held.clear();
    }
}
