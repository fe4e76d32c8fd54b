// FP32 SGEMM on CUDA cores: register-blocked and double-buffered.
//
// A block computes a BM x BN tile of C with (BM/TM)*(BN/TN) threads, each owning TM x TN
// accumulators. Per k-step a thread reads TM values of A and TN of B from shared memory and does
// TM*TN FMAs: 8x8 gives 64 FMAs per 16 loads, 16x8 128 per 24. A thread's rows (and columns) are
// groups of 4 spread evenly over the tile, so each group is one 16-byte shared load and a warp's
// loads of B cover contiguous bytes without bank conflicts. Shared memory holds two k-tiles: while the block computes on one,
// the next tile's global loads are in flight in registers, and are stored into the other buffer
// afterwards, so there is a single __syncthreads per k-tile.
//
// Kernels: sgemm<BM>[_full]_<a><b>; a/b are the operand layouts of gemm.cuh; _full kernels skip
// every bounds check and use vector loads/stores (host checks divisibility and alignment).
// 128x128 tiles for large products: 16x8 per thread (128 threads, ~215 registers) for the nn, tn
// and tt layouts, 8x8 (256 threads) for nt; 64x64 with 4x4 when 128-tiles would leave most SMs
// idle. Measured on an H200 at 4096^3 (BENCHMARKS.md): 16x8 ran nn 46.7 / tn 45.8 / tt 46.3
// TFLOP/s where 8x8 ran 42.8 / 44.6 / 42.8, but nt 42.9 where 8x8 ran 44.3. 16-deep k-tiles, a
// padded A tile and reading the next k-step's fragments early did not help.
#include "ember.cuh"
#include "gemm.cuh"

template <int BM, int BN, int BK, int TM, int TN, bool A_T, bool B_T, bool FULL>
__device__ __forceinline__ void sgemm(const float* A, const float* B, float* C, const Gemm& g) {
    constexpr int THREADS = (BM / TM) * (BN / TN);
    constexpr int THREAD_COLS = BN / TN;
    constexpr int GROUP_M = BM * 4 / TM;  // distance between a thread's groups of 4 rows
    constexpr int GROUP_N = BN * 4 / TN;
    // A "t" is M-contiguous; B "n" is N-contiguous.
    typedef TileLoader<BM, BK, THREADS, A_T, FULL> LoadA;
    typedef TileLoader<BN, BK, THREADS, !B_T, FULL> LoadB;
    __shared__ __align__(16) float As[2][BK][BM];
    __shared__ __align__(16) float Bs[2][BK][BN];

    const int tx = threadIdx.x % THREAD_COLS;
    const int ty = threadIdx.x / THREAD_COLS;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;
    const LoadA loadA(threadIdx.x);
    const LoadB loadB(threadIdx.x);
    const int tiles = (g.K + BK - 1) / BK;

    for (int batch = blockIdx.z; batch < g.batch; batch += gridDim.z) {
        const float* a = A + g.offsetA + (size_t) batch * g.batchStrideA;
        const float* b = B + g.offsetB + (size_t) batch * g.batchStrideB;
        float acc[TM][TN];
#pragma unroll
        for (int i = 0; i < TM; i++) {
#pragma unroll
            for (int j = 0; j < TN; j++) {
                acc[i][j] = 0.0f;
            }
        }
        float ra[LoadA::E];
        float rb[LoadB::E];
        loadA.load(ra, a, g.lda, m0, 0, g.M, g.K);
        loadB.load(rb, b, g.ldb, n0, 0, g.N, g.K);
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
            for (int k = 0; k < BK; k++) {
                float fa[TM];
                float fb[TN];
#pragma unroll
                for (int h = 0; h < TM / 4; h++) {
                    float4 v = *reinterpret_cast<const float4*>(&As[cur][k][h * GROUP_M + ty * 4]);
                    fa[h * 4] = v.x; fa[h * 4 + 1] = v.y; fa[h * 4 + 2] = v.z; fa[h * 4 + 3] = v.w;
                }
#pragma unroll
                for (int h = 0; h < TN / 4; h++) {
                    float4 v = *reinterpret_cast<const float4*>(&Bs[cur][k][h * GROUP_N + tx * 4]);
                    fb[h * 4] = v.x; fb[h * 4 + 1] = v.y; fb[h * 4 + 2] = v.z; fb[h * 4 + 3] = v.w;
                }
#pragma unroll
                for (int i = 0; i < TM; i++) {
#pragma unroll
                    for (int j = 0; j < TN; j++) {
                        acc[i][j] = fmaf(fa[i], fb[j], acc[i][j]);
                    }
                }
            }
            if (more) {
                loadA.store(As[cur ^ 1], ra);
                loadB.store(Bs[cur ^ 1], rb);
            }
            __syncthreads();
        }

        float* c = C + g.offsetC + (size_t) batch * g.M * g.N;
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const int m = m0 + (i / 4) * GROUP_M + ty * 4 + i % 4;
#pragma unroll
            for (int h = 0; h < TN / 4; h++) {
                const int n = n0 + h * GROUP_N + tx * 4;
                float* dst = c + (size_t) m * g.N + n;
                if (FULL) {
                    *reinterpret_cast<float4*>(dst) =
                            make_float4(acc[i][h * 4], acc[i][h * 4 + 1], acc[i][h * 4 + 2], acc[i][h * 4 + 3]);
                } else if (m < g.M) {
#pragma unroll
                    for (int j = 0; j < 4; j++) {
                        if (n + j < g.N) {
                            dst[j] = acc[i][h * 4 + j];
                        }
                    }
                }
            }
        }
    }
}

// The host launches (TILE/TM)*(TILE/TN) threads per block: MatmulPlan.threads must agree.
#define SGEMM_KERNEL(NAME, TILE, TM, TN, MIN_BLOCKS, A_T, B_T, FULL)                                       \
    extern "C" __global__ void __launch_bounds__((TILE / TM) * (TILE / TN), MIN_BLOCKS)                    \
            NAME(const float* A, const float* B, float* C, Gemm g) {                                      \
        sgemm<TILE, TILE, 8, TM, TN, A_T, B_T, FULL>(A, B, C, g);                                         \
    }

#define SGEMM128_LAYOUTS(PREFIX, FULL)                               \
    SGEMM_KERNEL(PREFIX##_nn, 128, 16, 8, 2, false, false, FULL)     \
    SGEMM_KERNEL(PREFIX##_nt, 128, 8, 8, 2, false, true, FULL)       \
    SGEMM_KERNEL(PREFIX##_tn, 128, 16, 8, 2, true, false, FULL)      \
    SGEMM_KERNEL(PREFIX##_tt, 128, 16, 8, 2, true, true, FULL)

SGEMM128_LAYOUTS(sgemm128, false)
SGEMM128_LAYOUTS(sgemm128_full, true)
SGEMM_KERNEL(sgemm64_nn, 64, 4, 4, 3, false, false, false)
SGEMM_KERNEL(sgemm64_nt, 64, 4, 4, 3, false, true, false)
SGEMM_KERNEL(sgemm64_tn, 64, 4, 4, 3, true, false, false)
SGEMM_KERNEL(sgemm64_tt, 64, 4, 4, 3, true, true, false)
