package dev.ember.tensor.random;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A random number generator that reproduces PyTorch's CPU generator ({@code at::CPUGeneratorImpl},
 * libtorch 2.7.1) draw for draw: after {@code new Generator(s)} or {@link #manualSeed(long)
 * Generator.manualSeed(s)}, every method below yields what the named PyTorch op yields on a
 * contiguous CPU tensor after {@code torch.manual_seed(s)}, and consumes the same number of draws,
 * so sequences of calls stay in step with PyTorch.
 *
 * <p>All methods synchronize on the instance, as PyTorch locks the generator's mutex around each op.
 *
 * <p>Limits. The reference is x86-64 PyTorch, whose float {@code normal_} uses AVX2 vector math;
 * builds without AVX2 (ARM, for one) use libm there and can differ in the last bit. The scalar
 * paths use {@link StrictMath} where PyTorch calls glibc, so a double could in principle differ in
 * its last bit; no such case survived the rounding to float in the oracle tests.
 */
public final class Generator {
    /** The seed of a fresh {@code torch.Generator()}: {@code default_rng_seed_val}. */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static final Generator GLOBAL = new Generator(new SecureRandom().nextLong());

    /** Below this length PyTorch's {@code randperm} keeps its original swap shuffle (uint32 max / 20). */
    private static final int RANDPERM_SWAP_SHUFFLE_LIMIT = (int) (0xffffffffL / 20);
    /** From this range on, {@code randint} takes 64-bit draws. */
    private static final long RANDINT_WIDE_RANGE = 1L << 28;
    /** {@code torch.normal_} switches from scalar Box-Muller to its 16-wide block fill at this size. */
    private static final int NORMAL_FILL_MIN_SIZE = 16;
    /** 2π rounded to float, as {@code _mm256_set1_ps(2.0f * c10::pi<double>)} rounds it. */
    private static final float TWO_PI = (float) (2.0 * Math.PI);

    private final MersenneTwister engine;
    /** Second Box-Muller sample of the scalar path, or NaN when none is cached. */
    private double nextDoubleNormal = Double.NaN;

    /** A generator seeded like {@code torch.Generator()}, with {@link #DEFAULT_SEED}. */
    public Generator() {
        this(DEFAULT_SEED);
    }

    /** A generator seeded like {@code torch.Generator().manual_seed(seed)}. */
    public Generator(long seed) {
        engine = new MersenneTwister(seed);
    }

    /**
     * The process-wide default generator, PyTorch's {@code default_generator}; like PyTorch's it
     * starts from a nondeterministic seed until {@link #manualSeed(long)} is called.
     */
    public static Generator global() {
        return GLOBAL;
    }

    /** {@code torch.manual_seed(seed)}: reseeds {@link #global()}. */
    public static void manualSeed(long seed) {
        GLOBAL.setSeed(seed);
    }

    /**
     * {@code generator.manual_seed(seed)}. Only the low 32 bits reach the Mersenne Twister, as in
     * PyTorch; the full value is kept for {@link #initialSeed()}. Clears the cached normal sample.
     */
    public synchronized Generator setSeed(long seed) {
        engine.reseed(seed);
        nextDoubleNormal = Double.NaN;
        return this;
    }

    /** {@code generator.initial_seed()}: the 64-bit seed last set. */
    public synchronized long initialSeed() {
        return engine.seed;
    }

    /** {@code CPUGeneratorImpl::random()}: the next 32 random bits, as a value in [0, 2^32). */
    public synchronized long random() {
        return Integer.toUnsignedLong(engine.nextInt());
    }

    /**
     * {@code CPUGeneratorImpl::random64()}: 64 random bits, the first 32-bit draw in the high half
     * and the second in the low half. Read the result as unsigned.
     */
    public synchronized long random64() {
        return nextLong();
    }

    /**
     * {@code tensor.uniform_(from, to)} (and {@code torch.rand} for [0, 1)) on a contiguous float32
     * tensor: each element takes 24 bits of one 32-bit draw, scaled to [0, 1) and mapped with one
     * fused multiply-add, as GCC contracts PyTorch's {@code x * (to - from) + from}.
     */
    public synchronized void uniform(float[] out, int offset, int n, double from, double to) {
        Objects.checkFromIndexSize(offset, n, out.length);
        checkFloatBound(from, "from");
        checkFloatBound(to, "to");
        if (!(from <= to)) {
            throw new IllegalArgumentException("uniform expects from <= to, got from=" + from + " to=" + to);
        }
        if (!(to - from <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("uniform expects to - from <= float max, got " + (to - from));
        }
        float low = (float) from;
        float span = (float) to - low;
        for (int i = offset; i < offset + n; i++) {
            out[i] = Math.fma(nextUnitFloat(), span, low);
        }
    }

    /**
     * {@code tensor.normal_(mean, std)} (and {@code torch.randn} for (0, 1)) on a contiguous float32
     * tensor of {@code n} elements.
     *
     * <p>Like PyTorch this has two algorithms. From 16 elements on it is {@code normal_fill}: 24-bit
     * uniforms for all elements, then Box-Muller in float over blocks of 16 (element j pairs with
     * j + 8), redrawing the last 16 uniforms when {@code n} is not a multiple of 16; the float
     * log/sin/cos are PyTorch's AVX2 Cephes approximations ({@link AvxMathFun}), so results are bit
     * for bit those of x86 PyTorch. Below 16 elements each value is a double-precision Box-Muller
     * sample from two 53-bit uniforms; the pair's second sample is cached on the generator and
     * returned by the next such draw, even one in a later call.
     */
    public synchronized void normal(float[] out, int offset, int n, double mean, double std) {
        Objects.checkFromIndexSize(offset, n, out.length);
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal expects std >= 0.0, got " + std);
        }
        if (n >= NORMAL_FILL_MIN_SIZE) {
            normalFill(out, offset, n, (float) mean, (float) std);
        } else {
            for (int i = offset; i < offset + n; i++) {
                // GCC contracts PyTorch's sample * std + mean into one fused multiply-add.
                out[i] = (float) Math.fma(nextStandardNormal(), std, mean);
            }
        }
    }

    /**
     * {@code torch.randint(low, high, size)} with int64 dtype: {@code low + draw % (high - low)},
     * where the draw is 32 bits when the range is below 2^28 and 64 bits otherwise. (PyTorch's
     * public builds switch at 2^28 to bound the modulo skew near 5%; the 2^32 test in its source
     * applies only to Meta's internal builds.)
     */
    public synchronized void randint(long[] out, long low, long high) {
        if (low >= high) {
            throw new IllegalArgumentException("randint expects low < high, got low=" + low + " high=" + high);
        }
        long range = high - low;
        boolean wide = Long.compareUnsigned(range, RANDINT_WIDE_RANGE) >= 0;
        for (int i = 0; i < out.length; i++) {
            long bits = wide ? nextLong() : Integer.toUnsignedLong(engine.nextInt());
            out[i] = Long.remainderUnsigned(bits, range) + low;
        }
    }

    /**
     * {@code tensor.bernoulli_(p)} on a contiguous float32 tensor, the mask behind {@code
     * torch.nn.functional.dropout(x, q)} on CPU, which keeps element i iff it is 1 here with
     * {@code p = 1 - q}. Each element is 1 when a 53-bit uniform double from one 64-bit draw is
     * below {@code p}, else 0. Note that {@code dropout} with {@code q} of 0 or 1 returns early and
     * draws nothing, so a caller reproducing it must not call this then.
     *
     * <p>This is PyTorch's portable kernel, and what libtorch 2.7.1's x86-64 build runs, checked
     * against it on an Intel CPU. Older MKL builds instead seeded an MKL stream with a single 32-bit
     * draw on Intel CPUs; that path is not reproduced.
     */
    public synchronized void bernoulli(float[] out, int offset, int n, double p) {
        Objects.checkFromIndexSize(offset, n, out.length);
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli expects p to be in [0, 1], got " + p);
        }
        for (int i = offset; i < offset + n; i++) {
            out[i] = nextUnitDouble() < p ? 1f : 0f;
        }
    }

    /** {@code torch.randperm(n)} with int64 dtype. */
    public long[] randperm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("randperm expects n >= 0, got " + n);
        }
        long[] permutation = new long[n];
        randperm(permutation);
        return permutation;
    }

    /**
     * {@code torch.randperm(out.length, out=...)}: a permutation of 0..n-1. Like PyTorch, lengths
     * below 214748364 use a forward swap shuffle with 32-bit draws; longer ones use the inside-out
     * Fisher-Yates shuffle with 64-bit draws, whose modulo bias is negligible at that size.
     */
    public synchronized void randperm(long[] out) {
        if (out.length < RANDPERM_SWAP_SHUFFLE_LIMIT) {
            swapShuffle(out);
        } else {
            insideOutShuffle(out);
        }
    }

    private void swapShuffle(long[] out) {
        int n = out.length;
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (Integer.toUnsignedLong(engine.nextInt()) % (n - i));
            long saved = out[i];
            out[i] = out[z + i];
            out[z + i] = saved;
        }
    }

    /** Package-private so tests can check it on lengths small enough to run. */
    synchronized void insideOutShuffle(long[] out) {
        for (int i = 0; i < out.length; i++) {
            int z = (int) Long.remainderUnsigned(nextLong(), i + 1L);
            out[i] = out[z];
            out[z] = i;
        }
    }

    /**
     * {@code torch.get_rng_state()}: the 5056-byte little-endian {@code CPUGeneratorImplState}
     * layout described in {@link RngStateCodec}, so states move between Ember and PyTorch.
     */
    public synchronized byte[] getState() {
        return RngStateCodec.encode(engine, nextDoubleNormal);
    }

    /** {@code torch.set_rng_state(state)}: restores a state from {@link #getState()} or PyTorch. */
    public synchronized void setState(byte[] state) {
        nextDoubleNormal = RngStateCodec.decode(state, engine);
    }

    private long nextLong() {
        long high = Integer.toUnsignedLong(engine.nextInt());
        long low = Integer.toUnsignedLong(engine.nextInt());
        return (high << 32) | low;
    }

    /** {@code uniform_real_distribution<float>(0, 1)}: 24 bits scaled by 2^-24. */
    private float nextUnitFloat() {
        return (engine.nextInt() & 0xffffff) * 0x1p-24f;
    }

    /** {@code uniform_real_distribution<double>(0, 1)}: 53 bits of a 64-bit draw scaled by 2^-53. */
    private double nextUnitDouble() {
        return (nextLong() & ((1L << 53) - 1)) * 0x1p-53;
    }

    /** {@code at::normal_distribution<double>} with mean 0 and std 1, caching the sine sample. */
    private double nextStandardNormal() {
        if (!Double.isNaN(nextDoubleNormal)) {
            double cached = nextDoubleNormal;
            nextDoubleNormal = Double.NaN;
            return cached;
        }
        double u1 = nextUnitDouble();
        double u2 = nextUnitDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        nextDoubleNormal = radius * StrictMath.sin(theta);
        return radius * StrictMath.cos(theta);
    }

    private void normalFill(float[] out, int offset, int n, float mean, float std) {
        for (int i = offset; i < offset + n; i++) {
            out[i] = nextUnitFloat();
        }
        float[] sinCos = new float[2];
        for (int block = offset; block + NORMAL_FILL_MIN_SIZE <= offset + n; block += NORMAL_FILL_MIN_SIZE) {
            boxMuller16(out, block, mean, std, sinCos);
        }
        if (n % NORMAL_FILL_MIN_SIZE != 0) {
            int tail = offset + n - NORMAL_FILL_MIN_SIZE;
            for (int i = tail; i < offset + n; i++) {
                out[i] = nextUnitFloat();
            }
            boxMuller16(out, tail, mean, std, sinCos);
        }
    }

    /** {@code normal_fill_16_AVX2}: turns 16 uniforms into 16 normals, lane j paired with j + 8. */
    private static void boxMuller16(float[] data, int start, float mean, float std, float[] sinCos) {
        for (int j = start; j < start + 8; j++) {
            float u1 = 1f - data[j]; // [0, 1) -> (0, 1] so the log is finite
            float u2 = data[j + 8];
            float radius = (float) Math.sqrt(-2f * AvxMathFun.log(u1));
            AvxMathFun.sinCos(TWO_PI * u2, sinCos);
            data[j] = Math.fma(radius * sinCos[1], std, mean);
            data[j + 8] = Math.fma(radius * sinCos[0], std, mean);
        }
    }

    private static void checkFloatBound(double value, String name) {
        if (!(Math.abs(value) <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException(name + " is out of bounds for float: " + value);
        }
    }
}
