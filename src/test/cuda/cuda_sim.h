// Just enough of CUDA to run Ember's kernels on the CPU, for testing without a GPU.
//
// Included before a .cu file (g++ -include cuda_sim.h), it turns the CUDA keywords into plain C++
// and runs every thread of a block as a fiber (ucontext) on one OS thread. A fiber runs until it
// reaches __syncthreads() or a warp-wide operation (shuffle, mma); the scheduler releases a barrier
// when every live thread of the block (or the warp) has reached it, exactly as the hardware does.
// Shared memory is a function-level static, which is right because blocks run one after another.
// It is slow (a context switch per barrier per thread) but faithful to indexing and barriers,
// which is what a GPU-less test can check.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>
#include <ucontext.h>

#define EMBER_HOST_SIM 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

struct alignas(16) float4 {
    float x, y, z, w;
};
struct alignas(8) float2 {
    float x, y;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline float2 make_float2(float x, float y) { return {x, y}; }
inline unsigned __float_as_uint(float f) {
    unsigned u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
// IEEE single-precision product and sum, rounded to nearest (g++ is not asked to contract them)
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
using std::isnan;
using std::max;
using std::min;

// One OS thread runs every fiber, so plain read-modify-writes are atomic.
inline int atomicCAS(int* p, int compare, int value) {
    int old = *p;
    if (old == compare) {
        *p = value;
    }
    return old;
}
inline float atomicAdd(float* p, float v) {
    float old = *p;
    *p = old + v;
    return old;
}
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    unsigned long long old = *p;
    *p = old + v;
    return old;
}

namespace sim {

enum class State { Runnable, BlockBarrier, WarpBarrier, Done };

struct Fiber {
    ucontext_t context;
    State state = State::Runnable;
    dim3 tid;
};

// What lanes of one warp exchange in a shuffle or an mma.
struct WarpExchange {
    uint64_t value[32];
    uint32_t a[32][4];
    uint32_t b[32][2];
    float c[32][4];
};

struct Block {
    std::vector<Fiber> fibers;
    std::vector<WarpExchange> warps;
    ucontext_t scheduler;
    int current = 0;
    const std::function<void()>* body = nullptr;
};

inline Block block;
inline std::vector<char*> stacks;
constexpr size_t STACK_BYTES = 256 * 1024;

inline int linearThread() { return block.current; }
inline int laneOf() { return linearThread() % 32; }
inline WarpExchange& warpOf() { return block.warps[linearThread() / 32]; }

inline void yieldAs(State s) {
    Fiber& f = block.fibers[block.current];
    f.state = s;
    swapcontext(&f.context, &block.scheduler);
}

inline void trampoline() {
    (*block.body)();
    block.fibers[block.current].state = State::Done;
}  // returns to uc_link, the scheduler

// Releases warps whose live lanes all wait at a warp barrier; a block barrier once every live thread waits there.
inline bool releaseBarriers() {
    bool released = false;
    int n = (int) block.fibers.size();
    for (int w = 0; w * 32 < n; w++) {
        bool anyWaiting = false, allArrived = true;
        for (int t = w * 32; t < std::min(n, w * 32 + 32); t++) {
            State s = block.fibers[t].state;
            anyWaiting |= s == State::WarpBarrier;
            allArrived &= s == State::WarpBarrier || s == State::Done;
        }
        if (anyWaiting && allArrived) {
            for (int t = w * 32; t < std::min(n, w * 32 + 32); t++) {
                if (block.fibers[t].state == State::WarpBarrier) {
                    block.fibers[t].state = State::Runnable;
                }
            }
            released = true;
        }
    }
    if (released) {
        return true;
    }
    bool anyWaiting = false, allArrived = true;
    for (Fiber& f : block.fibers) {
        anyWaiting |= f.state == State::BlockBarrier;
        allArrived &= f.state == State::BlockBarrier || f.state == State::Done;
    }
    if (anyWaiting && allArrived) {
        for (Fiber& f : block.fibers) {
            if (f.state == State::BlockBarrier) {
                f.state = State::Runnable;
            }
        }
        return true;
    }
    return false;
}

inline void runBlock(const std::function<void()>& body) {
    int n = (int) (blockDim.x * blockDim.y * blockDim.z);
    while ((int) stacks.size() < n) {
        stacks.push_back(static_cast<char*>(std::malloc(STACK_BYTES)));
    }
    block.fibers.assign(n, Fiber());
    block.warps.assign((n + 31) / 32, WarpExchange());
    block.body = &body;
    for (int t = 0; t < n; t++) {
        Fiber& f = block.fibers[t];
        f.tid = {t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y)};
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = stacks[t];
        f.context.uc_stack.ss_size = STACK_BYTES;
        f.context.uc_link = &block.scheduler;
        makecontext(&f.context, trampoline, 0);
    }
    for (;;) {
        bool ran = false;
        for (int t = 0; t < n; t++) {
            if (block.fibers[t].state == State::Runnable) {
                block.current = t;
                threadIdx = block.fibers[t].tid;
                swapcontext(&block.scheduler, &block.fibers[t].context);
                ran = true;
            }
        }
        bool allDone = std::all_of(block.fibers.begin(), block.fibers.end(),
                                   [](const Fiber& f) { return f.state == State::Done; });
        if (allDone) {
            return;
        }
        if (!releaseBarriers() && !ran) {
            throw std::runtime_error("deadlock: threads wait at different barriers");
        }
    }
}

inline void launch(dim3 grid, dim3 threads, const std::function<void()>& body) {
    if (threads.x * threads.y * threads.z > 1024 || grid.y > 65535 || grid.z > 65535 || grid.x == 0 ||
        threads.x == 0) {
        throw std::invalid_argument("invalid launch configuration");
    }
    gridDim = grid;
    blockDim = threads;
    for (unsigned z = 0; z < grid.z; z++) {
        for (unsigned y = 0; y < grid.y; y++) {
            for (unsigned x = 0; x < grid.x; x++) {
                blockIdx = {x, y, z};
                runBlock(body);
            }
        }
    }
}

}  // namespace sim

inline void __syncthreads() { sim::yieldAs(sim::State::BlockBarrier); }

template <typename T>
T __shfl_down_sync(unsigned, T v, int delta) {
    static_assert(sizeof(T) <= 8, "shuffles move at most 64 bits");
    sim::WarpExchange& w = sim::warpOf();
    int lane = sim::laneOf();
    std::memcpy(&w.value[lane], &v, sizeof(T));
    sim::yieldAs(sim::State::WarpBarrier);
    T result = v;
    if (lane + delta < 32) {
        std::memcpy(&result, &w.value[lane + delta], sizeof(T));
    }
    sim::yieldAs(sim::State::WarpBarrier);  // nobody overwrites a slot before every lane has read it
    return result;
}

// mma.sync.m16n8k8 (row.col, f32 += tf32 * tf32), with the PTX ISA's fragment ownership.
inline void simMmaM16N8K8(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    sim::WarpExchange& w = sim::warpOf();
    int lane = sim::laneOf();
    std::memcpy(w.a[lane], a, sizeof(w.a[lane]));
    std::memcpy(w.b[lane], b, sizeof(w.b[lane]));
    std::memcpy(w.c[lane], d, sizeof(w.c[lane]));
    sim::yieldAs(sim::State::WarpBarrier);
    auto A = [&](int row, int col) {  // a0:(g,t) a1:(g+8,t) a2:(g,t+4) a3:(g+8,t+4)
        return __uint_as_float(w.a[(row % 8) * 4 + col % 4][(row / 8) + 2 * (col / 4)]);
    };
    auto B = [&](int k, int n) { return __uint_as_float(w.b[n * 4 + k % 4][k / 4]); };  // b0:(t,g) b1:(t+4,g)
    int g = lane / 4, t = lane % 4;
    float result[4];
    for (int i = 0; i < 4; i++) {
        int row = g + (i / 2) * 8, col = 2 * t + i % 2;
        float sum = w.c[lane][i];
        for (int k = 0; k < 8; k++) {
            sum += A(row, k) * B(k, col);
        }
        result[i] = sum;
    }
    sim::yieldAs(sim::State::WarpBarrier);
    std::memcpy(d, result, sizeof(result));
}

// cvt.rna.tf32.f32: keep 10 mantissa bits, rounding to nearest with ties away from zero.
inline uint32_t simToTf32(float x) {
    uint32_t u = __float_as_uint(x);
    if ((u & 0x7f800000u) == 0x7f800000u) {
        return u;  // inf and NaN pass through
    }
    return (u + 0x1000u) & 0xffffe000u;
}
