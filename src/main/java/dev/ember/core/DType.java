package dev.ember.core;

/**
 * Element types. FLOAT32 is the compute type; INT64 holds labels and indices; BOOL is what
 * comparisons return. BOOL shares FLOAT32's storage (0f/1f) so every backend needs only two
 * element representations.
 */
public enum DType {
    FLOAT32("float32"),
    INT64("int64"),
    BOOL("bool");

    private final String torchName;

    DType(String torchName) {
        this.torchName = torchName;
    }

    /** PyTorch's name for this dtype, as printed in {@code torch.float32}. */
    public String torchName() {
        return torchName;
    }

    /** Whether elements live in a {@code long} store rather than a {@code float} store. */
    public boolean isIntegral() {
        return this == INT64;
    }

    /** PyTorch's type promotion for binary arithmetic: float beats int beats bool. */
    public static DType promote(DType a, DType b) {
        if (a == FLOAT32 || b == FLOAT32) {
            return FLOAT32;
        }
        if (a == INT64 || b == INT64) {
            return INT64;
        }
        return BOOL;
    }
}
