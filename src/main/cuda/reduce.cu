// Reductions (SUM/MAX/MIN over any set of dims) and arg-reductions (first index of max/min).
//
// The host splits the input into an "outer" space (the kept dims; operands x and out) and an
// "inner" space (the reduced dims; operand x, offset 0), coalesced separately. Two shapes of kernel:
//  - thread: one thread per output walks its inner range; right for short rows and for reducing a
//    non-innermost dim, where neighbouring threads then read neighbouring addresses;
//  - block: one block per output, threads stride the inner range and meet in a tree.
// Both can split the inner range over gridDim.y to fill the GPU when there are few outputs; each
// split writes a partial, and reduce_finish_* combines partials in split order, so results are
// deterministic. Float sums accumulate in double, so they match a sequential double sum closely.
#include "ember.cuh"

#include <climits>

// ---- accumulation rules ----

template <typename T>
struct SumOf {
    typedef T Acc;
    static __device__ __forceinline__ Acc identity() { return 0; }
    static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a + b; }
};
template <>
struct SumOf<float> {
    typedef double Acc;
    static __device__ __forceinline__ Acc identity() { return 0.0; }
    static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a + b; }
};

// max/min keep the first NaN they meet, as PyTorch's do.
template <typename T>
struct MaxOf {
    typedef T Acc;
    static __device__ __forceinline__ Acc identity();
    static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a != a || a > b ? a : b; }
};
template <>
__device__ __forceinline__ float MaxOf<float>::identity() { return -INFINITY; }
template <>
__device__ __forceinline__ long long MaxOf<long long>::identity() { return LLONG_MIN; }

template <typename T>
struct MinOf {
    typedef T Acc;
    static __device__ __forceinline__ Acc identity();
    static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a != a || a < b ? a : b; }
};
template <>
__device__ __forceinline__ float MinOf<float>::identity() { return INFINITY; }
template <>
__device__ __forceinline__ long long MinOf<long long>::identity() { return LLONG_MAX; }

// Combines one value per thread into thread 0's result. blockDim.x is a multiple of 32, <= 1024.
template <class Op>
__device__ __forceinline__ typename Op::Acc blockCombine(typename Op::Acc v) {
    typedef typename Op::Acc Acc;
    __shared__ Acc perWarp[32];
#pragma unroll
    for (int delta = 16; delta > 0; delta >>= 1) {
        v = Op::combine(v, __shfl_down_sync(0xffffffffu, v, delta));
    }
    int warp = threadIdx.x >> 5;
    int lane = threadIdx.x & 31;
    if (lane == 0) {
        perWarp[warp] = v;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    v = lane < warps ? perWarp[lane] : Op::identity();
    if (warp == 0) {
#pragma unroll
        for (int delta = 16; delta > 0; delta >>= 1) {
            v = Op::combine(v, __shfl_down_sync(0xffffffffu, v, delta));
        }
    }
    __syncthreads();  // perWarp is reused by the next output this block handles
    return v;
}

// ---- reduce ----

template <typename T, class Op>
__device__ __forceinline__ void reduceThread(Dims outerDims, Operands<2> outer, Dims innerDims, Operands<1> inner,
                                             const T* x, T* out, typename Op::Acc* partial, unsigned numOut,
                                             int length, int chunk) {
    int begin = blockIdx.y * chunk;
    int end = min(length, begin + chunk);
    EMBER_FOR_EACH(o, numOut) {
        int oo[2];
        stridedOffsets(outerDims, outer, o, oo);
        typename Op::Acc acc = Op::identity();
        for (int r = begin; r < end; r++) {
            int io[1];
            stridedOffsets(innerDims, inner, r, io);
            acc = Op::combine(acc, (typename Op::Acc) x[oo[0] + io[0]]);
        }
        if (gridDim.y == 1) {
            out[oo[1]] = (T) acc;
        } else {
            partial[(size_t) o * gridDim.y + blockIdx.y] = acc;
        }
    }
}

template <typename T, class Op>
__device__ __forceinline__ void reduceBlock(Dims outerDims, Operands<2> outer, Dims innerDims, Operands<1> inner,
                                            const T* x, T* out, typename Op::Acc* partial, unsigned numOut,
                                            int length, int chunk) {
    int begin = blockIdx.y * chunk;
    int end = min(length, begin + chunk);
    for (unsigned o = blockIdx.x; o < numOut; o += gridDim.x) {
        int oo[2];
        stridedOffsets(outerDims, outer, o, oo);
        typename Op::Acc acc = Op::identity();
        for (int r = begin + threadIdx.x; r < end; r += blockDim.x) {
            int io[1];
            stridedOffsets(innerDims, inner, r, io);
            acc = Op::combine(acc, (typename Op::Acc) x[oo[0] + io[0]]);
        }
        acc = blockCombine<Op>(acc);
        if (threadIdx.x == 0) {
            if (gridDim.y == 1) {
                out[oo[1]] = (T) acc;
            } else {
                partial[(size_t) o * gridDim.y + blockIdx.y] = acc;
            }
        }
    }
}

// reduceBlock for rows that are contiguous in memory (inner space rank 1, stride 1), which the host
// sends here with a chunk that is a multiple of 4: float rows that start 16-byte aligned are read
// as float4s, four elements per load and several loads in flight per thread, instead of one
// strided element at a time. Partials and the final write are as in reduceBlock.
template <typename T, class Op>
__device__ __forceinline__ void reduceRows(Dims outerDims, Operands<2> outer, const T* x, T* out,
                                           typename Op::Acc* partial, unsigned numOut, int length, int chunk) {
    typedef typename Op::Acc Acc;
    int begin = blockIdx.y * chunk;
    int end = min(length, begin + chunk);
    for (unsigned o = blockIdx.x; o < numOut; o += gridDim.x) {
        int oo[2];
        stridedOffsets(outerDims, outer, o, oo);
        const T* row = x + oo[0];
        Acc acc = Op::identity();
        int rest = begin;
        if constexpr (sizeof(T) == 4) {
            if ((reinterpret_cast<size_t>(row + begin) & 15) == 0) {
                int n4 = (end - begin) / 4;
                const float4* v = reinterpret_cast<const float4*>(row + begin);
#pragma unroll 4
                for (int i = threadIdx.x; i < n4; i += blockDim.x) {
                    float4 q = v[i];
                    acc = Op::combine(acc, (Acc) q.x);
                    acc = Op::combine(acc, (Acc) q.y);
                    acc = Op::combine(acc, (Acc) q.z);
                    acc = Op::combine(acc, (Acc) q.w);
                }
                rest = begin + n4 * 4;
            }
        }
        for (int r = rest + threadIdx.x; r < end; r += blockDim.x) {
            acc = Op::combine(acc, (Acc) row[r]);
        }
        acc = blockCombine<Op>(acc);
        if (threadIdx.x == 0) {
            if (gridDim.y == 1) {
                out[oo[1]] = (T) acc;
            } else {
                partial[(size_t) o * gridDim.y + blockIdx.y] = acc;
            }
        }
    }
}

// Four accumulators over the splits (split s goes to s % 4), so four loads are in flight rather
// than one round trip per partial; the order is fixed, so results stay deterministic.
template <typename T, class Op>
__device__ __forceinline__ void reduceFinish(Dims outerDims, Operands<2> outer, const typename Op::Acc* partial,
                                             T* out, unsigned numOut, int splits) {
    EMBER_FOR_EACH(o, numOut) {
        int oo[2];
        stridedOffsets(outerDims, outer, o, oo);
        const typename Op::Acc* p = partial + (size_t) o * splits;
        typename Op::Acc a0 = Op::identity(), a1 = a0, a2 = a0, a3 = a0;
        int s = 0;
        for (; s + 4 <= splits; s += 4) {
            a0 = Op::combine(a0, p[s]);
            a1 = Op::combine(a1, p[s + 1]);
            a2 = Op::combine(a2, p[s + 2]);
            a3 = Op::combine(a3, p[s + 3]);
        }
        for (; s < splits; s++) {
            a0 = Op::combine(a0, p[s]);
        }
        out[oo[1]] = (T) Op::combine(Op::combine(a0, a1), Op::combine(a2, a3));
    }
}

#define REDUCE_KERNELS(OP, OPNAME, SUFFIX, T)                                                                   \
    extern "C" __global__ void reduce_thread_##OPNAME##_##SUFFIX(                                               \
            Dims outerDims, Operands<2> outer, Dims innerDims, Operands<1> inner, const T* x, T* out,           \
            OP<T>::Acc* partial, unsigned numOut, int length, int chunk) {                                      \
        reduceThread<T, OP<T>>(outerDims, outer, innerDims, inner, x, out, partial, numOut, length, chunk);     \
    }                                                                                                           \
    extern "C" __global__ void reduce_block_##OPNAME##_##SUFFIX(                                                \
            Dims outerDims, Operands<2> outer, Dims innerDims, Operands<1> inner, const T* x, T* out,           \
            OP<T>::Acc* partial, unsigned numOut, int length, int chunk) {                                      \
        reduceBlock<T, OP<T>>(outerDims, outer, innerDims, inner, x, out, partial, numOut, length, chunk);      \
    }                                                                                                           \
    extern "C" __global__ void reduce_rows_##OPNAME##_##SUFFIX(                                                 \
            Dims outerDims, Operands<2> outer, const T* x, T* out, OP<T>::Acc* partial, unsigned numOut,        \
            int length, int chunk) {                                                                            \
        reduceRows<T, OP<T>>(outerDims, outer, x, out, partial, numOut, length, chunk);                         \
    }                                                                                                           \
    extern "C" __global__ void reduce_finish_##OPNAME##_##SUFFIX(                                               \
            Dims outerDims, Operands<2> outer, const OP<T>::Acc* partial, T* out, unsigned numOut, int splits) { \
        reduceFinish<T, OP<T>>(outerDims, outer, partial, out, numOut, splits);                                 \
    }

REDUCE_KERNELS(SumOf, sum, f32, float)
REDUCE_KERNELS(MaxOf, max, f32, float)
REDUCE_KERNELS(MinOf, min, f32, float)
REDUCE_KERNELS(SumOf, sum, i64, long long)
REDUCE_KERNELS(MaxOf, max, i64, long long)
REDUCE_KERNELS(MinOf, min, i64, long long)

// ---- argReduce: value and first index of the max/min along one dim ----

// Whether (v, i) beats (best, bestIndex): a NaN beats any number (PyTorch's argmax returns the
// first NaN); among equal values the smaller index wins.
template <bool MAX, typename T>
__device__ __forceinline__ bool beats(T v, long long i, T best, long long bestIndex) {
    bool vNan = v != v;
    bool bestNan = best != best;
    if (vNan || bestNan) {
        return vNan && (!bestNan || i < bestIndex);
    }
    if (v == best) {
        return i < bestIndex;
    }
    return MAX ? v > best : v < best;
}

// outer operands: (x, unused); the stride of x along the reduced dim comes separately.
// Outputs are contiguous in keepdim form, so output o sits at values[o] and indices[o].
template <bool MAX, typename T>
__device__ __forceinline__ void argReduceThread(Dims outerDims, Operands<1> outer, int dimStride, int length,
                                                const T* x, T* values, long long* indices, unsigned numOut) {
    EMBER_FOR_EACH(o, numOut) {
        int oo[1];
        stridedOffsets(outerDims, outer, o, oo);
        T best = x[oo[0]];
        long long bestIndex = 0;
        for (int r = 1; r < length; r++) {
            T v = x[oo[0] + r * dimStride];
            if (beats<MAX>(v, r, best, bestIndex)) {
                best = v;
                bestIndex = r;
            }
        }
        values[o] = best;
        indices[o] = bestIndex;
    }
}

template <bool MAX, typename T>
__device__ __forceinline__ void argReduceBlock(Dims outerDims, Operands<1> outer, int dimStride, int length,
                                               const T* x, T* values, long long* indices, unsigned numOut) {
    __shared__ T warpBest[32];
    __shared__ long long warpIndex[32];
    for (unsigned o = blockIdx.x; o < numOut; o += gridDim.x) {
        int oo[1];
        stridedOffsets(outerDims, outer, o, oo);
        // Every thread starts from element 0 so that a thread with no elements of its own is neutral.
        T best = x[oo[0]];
        long long bestIndex = 0;
        for (int r = threadIdx.x; r < length; r += blockDim.x) {
            T v = x[oo[0] + r * dimStride];
            if (beats<MAX>(v, r, best, bestIndex)) {
                best = v;
                bestIndex = r;
            }
        }
#pragma unroll
        for (int delta = 16; delta > 0; delta >>= 1) {
            T v = __shfl_down_sync(0xffffffffu, best, delta);
            long long i = __shfl_down_sync(0xffffffffu, bestIndex, delta);
            if (beats<MAX>(v, i, best, bestIndex)) {
                best = v;
                bestIndex = i;
            }
        }
        int warp = threadIdx.x >> 5;
        int lane = threadIdx.x & 31;
        if (lane == 0) {
            warpBest[warp] = best;
            warpIndex[warp] = bestIndex;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int w = 1; w < (int) (blockDim.x >> 5); w++) {
                if (beats<MAX>(warpBest[w], warpIndex[w], best, bestIndex)) {
                    best = warpBest[w];
                    bestIndex = warpIndex[w];
                }
            }
            values[o] = best;
            indices[o] = bestIndex;
        }
        __syncthreads();
    }
}

#define ARG_REDUCE_KERNELS(OPNAME, MAX, SUFFIX, T)                                                          \
    extern "C" __global__ void argreduce_thread_##OPNAME##_##SUFFIX(Dims outerDims, Operands<1> outer,      \
            int dimStride, int length, const T* x, T* values, long long* indices, unsigned numOut) {        \
        argReduceThread<MAX>(outerDims, outer, dimStride, length, x, values, indices, numOut);              \
    }                                                                                                       \
    extern "C" __global__ void argreduce_block_##OPNAME##_##SUFFIX(Dims outerDims, Operands<1> outer,       \
            int dimStride, int length, const T* x, T* values, long long* indices, unsigned numOut) {        \
        argReduceBlock<MAX>(outerDims, outer, dimStride, length, x, values, indices, numOut);               \
    }

ARG_REDUCE_KERNELS(max, true, f32, float)
ARG_REDUCE_KERNELS(min, false, f32, float)
ARG_REDUCE_KERNELS(max, true, i64, long long)
ARG_REDUCE_KERNELS(min, false, i64, long long)
