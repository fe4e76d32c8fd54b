package dev.ember.backend.cuda;

import dev.ember.core.DType;
import dev.ember.core.Layout;

/** A device storage and the layout through which an op reads or writes it. */
record Operand(CudaStorage storage, Layout layout) {

    DType dtype() {
        return storage.dtype();
    }

    boolean isLong() {
        return storage.dtype() == DType.INT64;
    }

    long address() {
        return storage.address();
    }
}
