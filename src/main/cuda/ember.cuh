// Shared by every Ember kernel: how strided layouts reach a kernel, and the one helper that turns a
// flat element position into storage offsets. The Java side (StridedArgs) packs these structs as
// plain ints, so their layout must stay "all 32-bit ints, no padding".
#pragma once

#define EMBER_MAX_RANK 8

// The iteration space: sizes, outermost first. The Java side coalesces dims before packing, so a
// contiguous tensor arrives as rank 1 and costs no division at all.
struct Dims {
    int rank;
    int size[EMBER_MAX_RANK];
};

// One operand's view of the iteration space: element offset and per-dim strides (0 broadcasts).
struct Strides {
    int offset;
    int stride[EMBER_MAX_RANK];
};

// N operands walked together. Passed by value so every access is a constant-bank load.
template <int N>
struct Operands {
    Strides op[N];
};

// Storage offsets, in each operand, of the element at row-major position `flat` of `dims`.
// The coordinates are computed once and shared by all operands; dim 0 needs no division.
template <int N>
__device__ __forceinline__ void stridedOffsets(const Dims& dims, const Operands<N>& ops, unsigned flat,
                                               int (&off)[N]) {
#pragma unroll
    for (int i = 0; i < N; i++) {
        off[i] = ops.op[i].offset;
    }
#pragma unroll
    for (int d = EMBER_MAX_RANK - 1; d > 0; d--) {
        if (d < dims.rank) {
            unsigned size = (unsigned) dims.size[d];
            unsigned q = flat / size;
            int c = (int) (flat - q * size);
            flat = q;
#pragma unroll
            for (int i = 0; i < N; i++) {
                off[i] += c * ops.op[i].stride[d];
            }
        }
    }
#pragma unroll
    for (int i = 0; i < N; i++) {
        off[i] += (int) flat * ops.op[i].stride[0];
    }
}

// Grid-stride loop over [0, n): any grid size covers any n, so launch sizes can follow the GPU, not n.
#define EMBER_FOR_EACH(i, n) \
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned) (n); i += gridDim.x * blockDim.x)

// Kernels that meet a bad index record the first offender here instead of trapping, which would
// poison the whole CUDA context; the host reads the flag at its next synchronisation.
__device__ __forceinline__ void recordError(int* flag, int code) {
    atomicCAS(flag, 0, code);
}
