// Elementwise primitives: fill, copy (with dtype conversion), unary, binary and where, over any
// strided layouts. One kernel per (op, dtype) so the op is resolved at compile time; the Java side
// finds a kernel by name: unary_<op>_<dtype>, binary_<op>_<dtype>, copy_<from>_<to>, ...
// dtypes: f32 (FLOAT32, and BOOL stored as 0/1 floats) and i64 (INT64). Math follows PyTorch,
// including NaN propagation (relu, clamp, maximum and minimum keep NaN).
#include "ember.cuh"

#include <climits>

// Clamp halves written as comparisons: a comparison with NaN is false, so a NaN bound is ignored
// and a NaN x passes through (fminf/fmaxf would do the opposite).
__device__ __forceinline__ float clampBelow(float x, float lo) { return x < lo ? lo : x; }
__device__ __forceinline__ float clampAbove(float x, float hi) { return x > hi ? hi : x; }

// Squaring is exact as x*x but may be off by an ulp through powf; CpuBackend squares too.
__device__ __forceinline__ float power(float x, float e) { return e == 2.0f ? x * x : powf(x, e); }

// Integer division as Java's (long) (x / (double) y) gives it: truncating, and saturating on zero.
__device__ __forceinline__ long long idiv(long long x, long long y) {
    if (y == 0) {
        return x == 0 ? 0 : (x > 0 ? LLONG_MAX : LLONG_MIN);
    }
    return x / y;
}

// Integer power by squaring. A negative exponent gives what Java's (long) Math.pow gives: the
// fraction truncates to 0 except for 1 and -1, and 0 to a negative power is +inf, saturated.
__device__ __forceinline__ long long ipow(long long x, long long y) {
    if (y < 0) {
        return x == 0 ? LLONG_MAX : (x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0));
    }
    long long result = 1;
    while (y > 0) {
        if (y & 1) {
            result *= x;
        }
        x *= x;
        y >>= 1;
    }
    return result;
}

// ---- contiguous fast paths ----
//
// Every kernel below also has a "_c" twin for the common case where all operands are contiguous
// with the same shape: the host passes pointers to element 0 and a count, and no index is
// computed. When the operands are all float-sized and 16-byte aligned (the allocator's blocks are,
// so any offset that is a multiple of 4 elements keeps them so), each thread moves float4s: four
// times the bytes in flight per load, which is what a bandwidth-bound op needs. The remainder, or
// everything when unaligned, goes element by element. Grid-stride loops as above.

__device__ __forceinline__ bool aligned16(const void* p) { return (reinterpret_cast<size_t>(p) & 15) == 0; }

template <typename TX, typename TO, class F>
__device__ __forceinline__ void mapContig(const TX* x, TO* out, unsigned n, F f) {
    unsigned first = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned step = gridDim.x * blockDim.x;
    unsigned done = 0;
    if (sizeof(TX) == 4 && sizeof(TO) == 4 && aligned16(x) && aligned16(out)) {
        unsigned n4 = n / 4;
        const float4* x4 = reinterpret_cast<const float4*>(x);
        float4* o4 = reinterpret_cast<float4*>(out);
        for (unsigned v = first; v < n4; v += step) {
            float4 a = x4[v];
            float4 r;
            TX e;
            TO o;
            memcpy(&e, &a.x, 4); o = f(e); memcpy(&r.x, &o, 4);
            memcpy(&e, &a.y, 4); o = f(e); memcpy(&r.y, &o, 4);
            memcpy(&e, &a.z, 4); o = f(e); memcpy(&r.z, &o, 4);
            memcpy(&e, &a.w, 4); o = f(e); memcpy(&r.w, &o, 4);
            o4[v] = r;
        }
        done = n4 * 4;
    }
    for (unsigned i = done + first; i < n; i += step) {
        out[i] = f(x[i]);
    }
}

template <typename T>
__device__ __forceinline__ void fillContig(T* out, T value, unsigned n) {
    unsigned first = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned step = gridDim.x * blockDim.x;
    unsigned done = 0;
    if (sizeof(T) == 4 && aligned16(out)) {
        unsigned n4 = n / 4;
        float v;
        memcpy(&v, &value, 4);
        float4* o4 = reinterpret_cast<float4*>(out);
        for (unsigned i = first; i < n4; i += step) {
            o4[i] = make_float4(v, v, v, v);
        }
        done = n4 * 4;
    }
    for (unsigned i = done + first; i < n; i += step) {
        out[i] = value;
    }
}

template <typename T, typename TO, class F>
__device__ __forceinline__ void zipContig(const T* x, const T* y, TO* out, unsigned n, F f) {
    unsigned first = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned step = gridDim.x * blockDim.x;
    unsigned done = 0;
    if (sizeof(T) == 4 && sizeof(TO) == 4 && aligned16(x) && aligned16(y) && aligned16(out)) {
        unsigned n4 = n / 4;
        const float4* x4 = reinterpret_cast<const float4*>(x);
        const float4* y4 = reinterpret_cast<const float4*>(y);
        float4* o4 = reinterpret_cast<float4*>(out);
        for (unsigned v = first; v < n4; v += step) {
            float4 a = x4[v];
            float4 b = y4[v];
            float4 r;
            T e, g;
            TO o;
            memcpy(&e, &a.x, 4); memcpy(&g, &b.x, 4); o = f(e, g); memcpy(&r.x, &o, 4);
            memcpy(&e, &a.y, 4); memcpy(&g, &b.y, 4); o = f(e, g); memcpy(&r.y, &o, 4);
            memcpy(&e, &a.z, 4); memcpy(&g, &b.z, 4); o = f(e, g); memcpy(&r.z, &o, 4);
            memcpy(&e, &a.w, 4); memcpy(&g, &b.w, 4); o = f(e, g); memcpy(&r.w, &o, 4);
            o4[v] = r;
        }
        done = n4 * 4;
    }
    for (unsigned i = done + first; i < n; i += step) {
        out[i] = f(x[i], y[i]);
    }
}

// ---- fill ----

#define FILL_KERNEL(SUFFIX, T)                                                                    \
    extern "C" __global__ void fill_##SUFFIX(Dims dims, Operands<1> ops, T* out, T value, unsigned n) { \
        EMBER_FOR_EACH(i, n) {                                                                    \
            int off[1];                                                                           \
            stridedOffsets(dims, ops, i, off);                                                    \
            out[off[0]] = value;                                                                  \
        }                                                                                         \
    }                                                                                             \
    extern "C" __global__ void fill_##SUFFIX##_c(T* out, T value, unsigned n) {                   \
        fillContig(out, value, n);                                                                \
    }

FILL_KERNEL(f32, float)
FILL_KERNEL(i64, long long)

// ---- copy: operands are (src, dst) ----

#define COPY_KERNEL(NAME, TS, TD, CONVERT)                                                          \
    extern "C" __global__ void NAME(Dims dims, Operands<2> ops, const TS* src, TD* dst, unsigned n) { \
        EMBER_FOR_EACH(i, n) {                                                                      \
            int off[2];                                                                             \
            stridedOffsets(dims, ops, i, off);                                                      \
            TS v = src[off[0]];                                                                     \
            dst[off[1]] = (CONVERT);                                                                \
        }                                                                                           \
    }                                                                                               \
    extern "C" __global__ void NAME##_c(const TS* src, TD* dst, unsigned n) {                       \
        mapContig(src, dst, n, [=](TS v) -> TD { return (CONVERT); });                              \
    }

COPY_KERNEL(copy_f32_f32, float, float, v)
COPY_KERNEL(copy_i64_i64, long long, long long, v)
COPY_KERNEL(copy_i64_f32, long long, float, (float) v)
// float -> int64 truncates toward zero, as a C cast (and PyTorch) does.
COPY_KERNEL(copy_f32_i64, float, long long, (long long) v)
// Anything -> BOOL is "nonzero"; NaN counts as nonzero, as in PyTorch.
COPY_KERNEL(copy_f32_bool, float, float, v != 0.0f ? 1.0f : 0.0f)
COPY_KERNEL(copy_i64_bool, long long, float, v != 0 ? 1.0f : 0.0f)

// ---- unary: operands are (x, out); a and b are the op's scalars (see UnaryOp.java) ----

#define UNARY_KERNEL(NAME, TX, TO, TS, EXPR)                                                        \
    extern "C" __global__ void NAME(Dims dims, Operands<2> ops, const TX* xs, TO* out, TS a, TS b, \
                                    unsigned n) {                                                  \
        EMBER_FOR_EACH(i, n) {                                                                     \
            int off[2];                                                                            \
            stridedOffsets(dims, ops, i, off);                                                     \
            TX x = xs[off[0]];                                                                     \
            out[off[1]] = (EXPR);                                                                  \
        }                                                                                          \
    }                                                                                              \
    extern "C" __global__ void NAME##_c(const TX* xs, TO* out, TS a, TS b, unsigned n) {           \
        mapContig(xs, out, n, [=](TX x) -> TO { return (EXPR); });                                 \
    }

#define UNARY_F32(OP, EXPR) UNARY_KERNEL(unary_##OP##_f32, float, float, float, EXPR)
#define UNARY_I64(OP, EXPR) UNARY_KERNEL(unary_##OP##_i64, long long, long long, long long, EXPR)

UNARY_F32(neg, -x)
UNARY_F32(exp, expf(x))
UNARY_F32(log, logf(x))
UNARY_F32(sqrt, sqrtf(x))
UNARY_F32(abs, fabsf(x))
UNARY_F32(sign, x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x))
UNARY_F32(tanh, tanhf(x))
UNARY_F32(sigmoid, 1.0f / (1.0f + expf(-x)))
UNARY_F32(relu, x > 0.0f || isnan(x) ? x : 0.0f)
UNARY_F32(sin, sinf(x))
UNARY_F32(cos, cosf(x))
UNARY_F32(reciprocal, 1.0f / x)
UNARY_F32(add_scalar, x + a)
UNARY_F32(mul_scalar, x * a)
UNARY_F32(pow_scalar, power(x, a))
UNARY_F32(scalar_pow, power(a, x))
UNARY_F32(clamp, clampAbove(clampBelow(x, a), b))
UNARY_F32(leaky_relu, x > 0.0f ? x : a * x)

// INT64 keeps integer arithmetic for the ops that map integers to integers; the host passes
// Long.MIN_VALUE / Long.MAX_VALUE for an absent clamp bound.
UNARY_I64(neg, -x)
UNARY_I64(abs, x < 0 ? -x : x)
UNARY_I64(sign, (long long) ((x > 0) - (x < 0)))
UNARY_I64(relu, x < 0 ? 0 : x)
UNARY_I64(add_scalar, x + a)
UNARY_I64(mul_scalar, x * a)
UNARY_I64(clamp, x < a ? a : (x > b ? b : x))

// ---- binary: operands are (x, y, out) ----

#define BINARY_KERNEL(NAME, T, TO, EXPR)                                                              \
    extern "C" __global__ void NAME(Dims dims, Operands<3> ops, const T* xs, const T* ys, TO* out,  \
                                    unsigned n) {                                                    \
        EMBER_FOR_EACH(i, n) {                                                                       \
            int off[3];                                                                              \
            stridedOffsets(dims, ops, i, off);                                                       \
            T x = xs[off[0]];                                                                        \
            T y = ys[off[1]];                                                                        \
            out[off[2]] = (EXPR);                                                                    \
        }                                                                                            \
    }                                                                                                \
    extern "C" __global__ void NAME##_c(const T* xs, const T* ys, TO* out, unsigned n) {             \
        zipContig(xs, ys, out, n, [=](T x, T y) -> TO { return (EXPR); });                           \
    }

#define BINARY_F32(OP, EXPR) BINARY_KERNEL(binary_##OP##_f32, float, float, EXPR)
#define BINARY_I64(OP, EXPR) BINARY_KERNEL(binary_##OP##_i64, long long, long long, EXPR)
// Comparisons produce BOOL, which is stored as float 0/1 whatever the input dtype.
#define COMPARE(OP, EXPR)                                                 \
    BINARY_KERNEL(binary_##OP##_f32, float, float, (EXPR) ? 1.0f : 0.0f) \
    BINARY_KERNEL(binary_##OP##_i64, long long, float, (EXPR) ? 1.0f : 0.0f)

BINARY_F32(add, x + y)
BINARY_F32(sub, x - y)
BINARY_F32(mul, x * y)
BINARY_F32(div, x / y)
BINARY_F32(pow, power(x, y))
BINARY_F32(maximum, isnan(x) || x > y ? x : y)
BINARY_F32(minimum, isnan(x) || x < y ? x : y)
BINARY_F32(relu_backward, y > 0.0f || isnan(y) ? x : 0.0f)

BINARY_I64(add, x + y)
BINARY_I64(sub, x - y)
BINARY_I64(mul, x * y)
BINARY_I64(div, idiv(x, y))
BINARY_I64(pow, ipow(x, y))
BINARY_I64(maximum, x > y ? x : y)
BINARY_I64(minimum, x < y ? x : y)
BINARY_I64(relu_backward, y > 0 ? x : 0)

COMPARE(eq, x == y)
COMPARE(ne, x != y)
COMPARE(lt, x < y)
COMPARE(le, x <= y)
COMPARE(gt, x > y)
COMPARE(ge, x >= y)

// ---- where: operands are (cond, x, y, out); cond is BOOL (float 0/1) ----

#define WHERE_KERNEL(SUFFIX, T)                                                                    \
    extern "C" __global__ void where_##SUFFIX(Dims dims, Operands<4> ops, const float* cond,      \
                                              const T* xs, const T* ys, T* out, unsigned n) {      \
        EMBER_FOR_EACH(i, n) {                                                                     \
            int off[4];                                                                            \
            stridedOffsets(dims, ops, i, off);                                                     \
            out[off[3]] = cond[off[0]] != 0.0f ? xs[off[1]] : ys[off[2]];                          \
        }                                                                                          \
    }

WHERE_KERNEL(f32, float)
WHERE_KERNEL(i64, long long)
