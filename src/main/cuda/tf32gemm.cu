// TF32 GEMM on tensor cores (mma.sync m16n8k8, sm_80+), the opt-in path behind allowTf32.
//
// Inputs are rounded to TF32 (10-bit mantissa, round-to-nearest-away as cuBLAS/CUTLASS do) when
// they are stored to shared memory; products accumulate in FP32. A block computes a 128x128 tile
// with 8 warps in a 2x4 grid; each warp owns 64x32 = 4x4 mma tiles (64 accumulators per thread).
// Shared tiles are k-major ([k][m] and [k][n]) with rows padded by 8 floats: the fragment reads
// (row = k + lane%4, column = base + lane/4) then fall into 32 different banks. Double buffering
// works as in sgemm.cu.
//
// Kernels: tf32gemm[_full]_<a><b>, layouts and _full as in sgemm.cu.
#include "ember.cuh"
#include "gemm.cuh"

#include <cstdint>

// (Under EMBER_HOST_SIM, the CPU simulator of src/test/cuda stands in for the two instructions.)
__device__ __forceinline__ float toTf32(float x) {
#ifdef EMBER_HOST_SIM
    return __uint_as_float(simToTf32(x));
#else
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return __uint_as_float(r);
#endif
}

// d += a * b for one 16x8x8 tile; fragment ownership is fixed by the PTX ISA: a[0..3] hold
// (row g, col t), (g+8, t), (g, t+4), (g+8, t+4); b[0..1] hold (k t, n g), (t+4, g); d[0..3] hold
// (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1), with g = lane/4 and t = lane%4.
__device__ __forceinline__ void mmaTf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#ifdef EMBER_HOST_SIM
    simMmaM16N8K8(d, a, b);
#else
    asm volatile(
            "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
            "{%0,%1,%2,%3};"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

template <int E>
__device__ __forceinline__ void roundToTf32(float (&r)[E]) {
#pragma unroll
    for (int j = 0; j < E; j++) {
        r[j] = toTf32(r[j]);
    }
}

template <bool A_T, bool B_T, bool FULL>
__device__ __forceinline__ void tf32gemm(const float* A, const float* B, float* C, const Gemm& g) {
    constexpr int BM = 128, BN = 128, BK = 16, THREADS = 256, PAD = 8;
    constexpr int WARP_M = 64, WARP_N = 32;   // one warp's tile
    constexpr int MMA_M = WARP_M / 16;        // 4 mma tiles down
    constexpr int MMA_N = WARP_N / 8;         // 4 mma tiles across
    typedef TileLoader<BM, BK, THREADS, A_T, FULL> LoadA;
    typedef TileLoader<BN, BK, THREADS, !B_T, FULL> LoadB;
    __shared__ __align__(16) float As[2][BK][BM + PAD];
    __shared__ __align__(16) float Bs[2][BK][BN + PAD];

    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int gid = lane / 4;
    const int tig = lane % 4;
    const int wm = (warp / 4) * WARP_M;
    const int wn = (warp % 4) * WARP_N;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;
    const LoadA loadA(threadIdx.x);
    const LoadB loadB(threadIdx.x);
    const int tiles = (g.K + BK - 1) / BK;

    for (int batch = blockIdx.z; batch < g.batch; batch += gridDim.z) {
        const float* a = A + g.offsetA + (size_t) batch * g.batchStrideA;
        const float* b = B + g.offsetB + (size_t) batch * g.batchStrideB;
        float acc[MMA_M][MMA_N][4];
#pragma unroll
        for (int i = 0; i < MMA_M; i++) {
#pragma unroll
            for (int j = 0; j < MMA_N; j++) {
#pragma unroll
                for (int q = 0; q < 4; q++) {
                    acc[i][j][q] = 0.0f;
                }
            }
        }
        float ra[LoadA::E];
        float rb[LoadB::E];
        loadA.load(ra, a, g.lda, m0, 0, g.M, g.K);
        loadB.load(rb, b, g.ldb, n0, 0, g.N, g.K);
        roundToTf32(ra);
        roundToTf32(rb);
        loadA.store(As[0], ra);
        loadB.store(Bs[0], rb);
        __syncthreads();

        for (int t = 0; t < tiles; t++) {
            const int cur = t & 1;
            const bool more = t + 1 < tiles;
            if (more) {
                loadA.load(ra, a, g.lda, m0, (t + 1) * BK, g.M, g.K);
                loadB.load(rb, b, g.ldb, n0, (t + 1) * BK, g.N, g.K);
            }
#pragma unroll
            for (int kk = 0; kk < BK; kk += 8) {
                uint32_t fa[MMA_M][4];
                uint32_t fb[MMA_N][2];
#pragma unroll
                for (int i = 0; i < MMA_M; i++) {
                    const int m = wm + i * 16 + gid;
                    fa[i][0] = __float_as_uint(As[cur][kk + tig][m]);
                    fa[i][1] = __float_as_uint(As[cur][kk + tig][m + 8]);
                    fa[i][2] = __float_as_uint(As[cur][kk + tig + 4][m]);
                    fa[i][3] = __float_as_uint(As[cur][kk + tig + 4][m + 8]);
                }
#pragma unroll
                for (int j = 0; j < MMA_N; j++) {
                    const int n = wn + j * 8 + gid;
                    fb[j][0] = __float_as_uint(Bs[cur][kk + tig][n]);
                    fb[j][1] = __float_as_uint(Bs[cur][kk + tig + 4][n]);
                }
#pragma unroll
                for (int i = 0; i < MMA_M; i++) {
#pragma unroll
                    for (int j = 0; j < MMA_N; j++) {
                        mmaTf32(acc[i][j], fa[i], fb[j]);
                    }
                }
            }
            if (more) {
                roundToTf32(ra);
                roundToTf32(rb);
                loadA.store(As[cur ^ 1], ra);
                loadB.store(Bs[cur ^ 1], rb);
            }
            __syncthreads();
        }

        float* c = C + g.offsetC + (size_t) batch * g.M * g.N;
#pragma unroll
        for (int i = 0; i < MMA_M; i++) {
#pragma unroll
            for (int half = 0; half < 2; half++) {
                const int m = m0 + wm + i * 16 + gid + half * 8;
#pragma unroll
                for (int j = 0; j < MMA_N; j++) {
                    const int n = n0 + wn + j * 8 + tig * 2;
                    float* dst = c + (size_t) m * g.N + n;
                    const float v0 = acc[i][j][half * 2];
                    const float v1 = acc[i][j][half * 2 + 1];
                    if (FULL) {
                        *reinterpret_cast<float2*>(dst) = make_float2(v0, v1);
                    } else if (m < g.M) {
                        if (n < g.N) {
                            dst[0] = v0;
                        }
                        if (n + 1 < g.N) {
                            dst[1] = v1;
                        }
                    }
                }
            }
        }
    }
}

#define TF32GEMM_KERNEL(NAME, A_T, B_T, FULL)                                                      \
    extern "C" __global__ void __launch_bounds__(256, 2) NAME(const float* A, const float* B, float* C, \
                                                              Gemm g) {                            \
        tf32gemm<A_T, B_T, FULL>(A, B, C, g);                                                      \
    }

TF32GEMM_KERNEL(tf32gemm_nn, false, false, false)
TF32GEMM_KERNEL(tf32gemm_nt, false, true, false)
TF32GEMM_KERNEL(tf32gemm_tn, true, false, false)
TF32GEMM_KERNEL(tf32gemm_tt, true, true, false)
TF32GEMM_KERNEL(tf32gemm_full_nn, false, false, true)
TF32GEMM_KERNEL(tf32gemm_full_nt, false, true, true)
TF32GEMM_KERNEL(tf32gemm_full_tn, true, false, true)
TF32GEMM_KERNEL(tf32gemm_full_tt, true, true, true)
