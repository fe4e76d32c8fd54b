// What the FP32 and TF32 GEMM kernels share: the argument struct and the global-memory tile loads.
#pragma once

// Batched C[b] = A[b] @ B[b] with A [M,K], B [K,N] and C [M,N] contiguous. A is stored either
// K-contiguous ("n": A[m][k] at m*lda + k) or M-contiguous ("t": at k*lda + m); likewise B is
// N-contiguous ("n": B[k][n] at k*ldb + n) or K-contiguous ("t": at n*ldb + k). All ints.
struct Gemm {
    int M, N, K, batch;
    int lda, ldb;
    int batchStrideA, batchStrideB;  // 0 broadcasts one matrix over the batch
    int offsetA, offsetB, offsetC;
};

// Loads E consecutive floats from p. FULL means the host proved the whole tile in range and the
// address 4E-byte aligned, so one vector load does; otherwise each element is bounds-checked
// (`valid` is the tile row's check, `remaining` how many of the E are inside) and zero-filled.
template <int E, bool FULL>
__device__ __forceinline__ void loadRun(float (&r)[E], const float* p, bool valid, int remaining) {
    if (FULL) {
        if (E == 8) {
            float4 lo = *reinterpret_cast<const float4*>(p);
            float4 hi = *reinterpret_cast<const float4*>(p + 4);
            r[0] = lo.x; r[1] = lo.y; r[2] = lo.z; r[3] = lo.w;
            r[4] = hi.x; r[5] = hi.y; r[6] = hi.z; r[7] = hi.w;
        } else if (E == 4) {
            float4 v = *reinterpret_cast<const float4*>(p);
            r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
        } else if (E == 2) {
            float2 v = *reinterpret_cast<const float2*>(p);
            r[0] = v.x; r[1] = v.y;
        } else {
#pragma unroll
            for (int j = 0; j < E; j++) {
                r[j] = p[j];
            }
        }
    } else {
#pragma unroll
        for (int j = 0; j < E; j++) {
            r[j] = valid && j < remaining ? p[j] : 0.0f;
        }
    }
}

// Loads this thread's share of a BMN x BK tile of A (or B) starting at (mn0, k0): E elements along
// the operand's contiguous dim, so a warp reads whole segments. In the k-major shared tile element j
// belongs at tile[k][mn], with (k, mn) = MN_CONTIG ? (row, col + j) : (col + j, row).
template <int BMN, int BK, int THREADS, bool MN_CONTIG, bool FULL>
struct TileLoader {
    static constexpr int E = BMN * BK / THREADS;
    static constexpr int PER_ROW = MN_CONTIG ? BMN / E : BK / E;  // threads sharing one strided row

    int row;  // the strided coordinate: mn (k-contiguous operand) or k (mn-contiguous operand)
    int col;  // the first of the E contiguous elements: k, or mn

    __device__ __forceinline__ explicit TileLoader(int tid) : row(tid / PER_ROW), col((tid % PER_ROW) * E) {}

    // ld is the stride of the strided coordinate; extentMN bounds mn (M for A, N for B).
    __device__ __forceinline__ void load(float (&r)[E], const float* base, int ld, int mn0, int k0,
                                         int extentMN, int K) const {
        if (MN_CONTIG) {
            int k = k0 + row;
            int mn = mn0 + col;
            loadRun<E, FULL>(r, base + (size_t) k * ld + mn, k < K, extentMN - mn);
        } else {
            int mn = mn0 + row;
            int k = k0 + col;
            loadRun<E, FULL>(r, base + (size_t) mn * ld + k, mn < extentMN, K - k);
        }
    }

    // Writes the loaded elements into the k-major shared tile (rows of LD floats, LD >= BMN).
    template <int LD>
    __device__ __forceinline__ void store(float (*tile)[LD], const float (&r)[E]) const {
        if (MN_CONTIG && E % 4 == 0) {
#pragma unroll
            for (int j = 0; j < E; j += 4) {
                *reinterpret_cast<float4*>(&tile[row][col + j]) = make_float4(r[j], r[j + 1], r[j + 2], r[j + 3]);
            }
        } else {
#pragma unroll
            for (int j = 0; j < E; j++) {
                if (MN_CONTIG) {
                    tile[row][col + j] = r[j];
                } else {
                    tile[col + j][row] = r[j];
                }
            }
        }
    }
};
