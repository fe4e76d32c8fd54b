// gather and scatterAdd along one dim. The host passes the operands' strides with x's (dst's)
// stride along `dim` zeroed, so stridedOffsets gives the position of the row; the index then
// selects along `dim` with dimStride. As in PyTorch, indices must lie in [0, size): others (negative
// ones too) are recorded in `error` (code 1 for gather, 2 for scatterAdd) and skipped, and the host
// raises them at its next synchronisation.
#include "ember.cuh"

// operands: (index, out, x)
#define GATHER_KERNEL(SUFFIX, T)                                                                       \
    extern "C" __global__ void gather_##SUFFIX(Dims dims, Operands<3> ops, int dimStride, int dimSize,  \
                                               const long long* index, const T* x, T* out, int* error, \
                                               unsigned n) {                                           \
        EMBER_FOR_EACH(i, n) {                                                                         \
            int off[3];                                                                                \
            stridedOffsets(dims, ops, i, off);                                                         \
            long long j = index[off[0]];                                                               \
            if (j < 0 || j >= dimSize) {                                                               \
                recordError(error, 1);                                                                 \
                out[off[1]] = 0;                                                                       \
            } else {                                                                                   \
                out[off[1]] = x[off[2] + (int) j * dimStride];                                         \
            }                                                                                          \
        }                                                                                              \
    }

GATHER_KERNEL(f32, float)
GATHER_KERNEL(i64, long long)

__device__ __forceinline__ void addAtomically(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void addAtomically(long long* p, long long v) {
    // Two's complement addition is the same for signed and unsigned 64-bit integers.
    atomicAdd(reinterpret_cast<unsigned long long*>(p), (unsigned long long) v);
}

// operands: (index, src, dst)
#define SCATTER_ADD_KERNEL(SUFFIX, T)                                                                       \
    extern "C" __global__ void scatter_add_##SUFFIX(Dims dims, Operands<3> ops, int dimStride, int dimSize,  \
                                                    const long long* index, const T* src, T* dst,           \
                                                    int* error, unsigned n) {                               \
        EMBER_FOR_EACH(i, n) {                                                                              \
            int off[3];                                                                                     \
            stridedOffsets(dims, ops, i, off);                                                              \
            long long j = index[off[0]];                                                                    \
            if (j < 0 || j >= dimSize) {                                                                    \
                recordError(error, 2);                                                                      \
            } else {                                                                                        \
                addAtomically(&dst[off[2] + (int) j * dimStride], src[off[1]]);                             \
            }                                                                                               \
        }                                                                                                   \
    }

SCATTER_ADD_KERNEL(f32, float)
SCATTER_ADD_KERNEL(i64, long long)
