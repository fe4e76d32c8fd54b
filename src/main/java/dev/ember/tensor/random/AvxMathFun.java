package dev.ember.tensor.random;

/**
 * One lane of {@code log256_ps} and {@code sincos256_ps} from PyTorch's {@code avx_mathfun.h}
 * (Cephes polynomials by Pommier and Garberoglio), evaluated with the same float operations in the
 * same order.
 *
 * <p>PyTorch's float {@code normal_} runs these on every x86 CPU with AVX2 (AVX-512 machines are
 * routed to the AVX2 kernel too). Their results differ from correctly rounded {@code log}/{@code
 * cos}/{@code sin} in the last bits, so reproducing {@code torch.randn} bit for bit needs the
 * approximation itself, not a better one.
 *
 * <p>PyTorch's release builds let GCC contract a multiply whose only use is an add into one fused
 * multiply-add; where a sum has two products, GCC fuses the one computed first. Each {@code
 * Math.fma} below stands where that contraction happens, and a separate product where it does not.
 */
final class AvxMathFun {
    // C writes these as double literals cast to float; casting here keeps the same rounding.
    private static final float SQRT_HALF = (float) 0.707106781186547524;
    private static final float LOG_P0 = (float) 7.0376836292E-2;
    private static final float LOG_P1 = (float) -1.1514610310E-1;
    private static final float LOG_P2 = (float) 1.1676998740E-1;
    private static final float LOG_P3 = (float) -1.2420140846E-1;
    private static final float LOG_P4 = (float) 1.4249322787E-1;
    private static final float LOG_P5 = (float) -1.6668057665E-1;
    private static final float LOG_P6 = (float) 2.0000714765E-1;
    private static final float LOG_P7 = (float) -2.4999993993E-1;
    private static final float LOG_P8 = (float) 3.3333331174E-1;
    private static final float LOG_Q1 = (float) -2.12194440e-4;
    private static final float LOG_Q2 = (float) 0.693359375;

    private static final float MINUS_DP1 = (float) -0.78515625;
    private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
    private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
    private static final float SIN_P0 = (float) -1.9515295891E-4;
    private static final float SIN_P1 = (float) 8.3321608736E-3;
    private static final float SIN_P2 = (float) -1.6666654611E-1;
    private static final float COS_P0 = (float) 2.443315711809948E-005;
    private static final float COS_P1 = (float) -1.388731625493765E-003;
    private static final float COS_P2 = (float) 4.166664568298827E-002;
    private static final float FOUR_OVER_PI = (float) 1.27323954473516;

    private static final int EXPONENT_MASK = 0x7f800000;
    private static final int SIGN_MASK = 0x80000000;

    private AvxMathFun() {}

    /** {@code log256_ps} for one lane. */
    static float log(float x) {
        boolean invalid = x <= 0f;
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f);
        e = e + 1f;
        // Keep the mantissa and force the exponent of 0.5, giving x in [0.5, 1).
        x = Float.intBitsToFloat((bits & ~EXPONENT_MASK) | Float.floatToRawIntBits(0.5f));

        boolean belowSqrtHalf = x < SQRT_HALF;
        float tmp = belowSqrtHalf ? x : 0f;
        x = x - 1f;
        e = e - (belowSqrtHalf ? 1f : 0f);
        x = x + tmp;

        float z = x * x;
        float y = LOG_P0;
        y = Math.fma(y, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = Math.fma(e, LOG_Q2, x + y);
        return invalid ? Float.NaN : x;
    }

    /** {@code sincos256_ps} for one lane: writes sin to {@code out[0]} and cos to {@code out[1]}. */
    static void sinCos(float x, float[] out) {
        int sinSign = Float.floatToRawIntBits(x) & SIGN_MASK;
        x = Math.abs(x);

        // Octant j, rounded up to even, as Cephes does.
        int j = (int) (x * FOUR_OVER_PI);
        j = (j + 1) & ~1;
        float y = (float) j;
        sinSign ^= (j & 4) << 29;
        boolean useSinePolynomial = (j & 2) == 0;
        int cosSign = (~(j - 2) & 4) << 29;

        // Extended precision reduction: x = ((x - y*DP1) - y*DP2) - y*DP3.
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);

        float z = x * x;
        float cosPoly = COS_P0;
        cosPoly = Math.fma(cosPoly, z, COS_P1);
        cosPoly = Math.fma(cosPoly, z, COS_P2);
        cosPoly = cosPoly * z;
        cosPoly = Math.fma(cosPoly, z, -(z * 0.5f));
        cosPoly = cosPoly + 1f;

        float sinPoly = SIN_P0;
        sinPoly = Math.fma(sinPoly, z, SIN_P1);
        sinPoly = Math.fma(sinPoly, z, SIN_P2);
        sinPoly = sinPoly * z;
        sinPoly = Math.fma(sinPoly, x, x);

        // The vector code selects by masking and adding zeros; the additions are kept because they
        // turn a -0.0 into +0.0 exactly as the original does.
        float sinPart = useSinePolynomial ? sinPoly : 0f;
        float cosPart = useSinePolynomial ? 0f : cosPoly;
        float sinRest = sinPoly - sinPart;
        float cosRest = cosPoly - cosPart;
        out[0] = Float.intBitsToFloat(Float.floatToRawIntBits(cosPart + sinPart) ^ sinSign);
        out[1] = Float.intBitsToFloat(Float.floatToRawIntBits(cosRest + sinRest) ^ cosSign);
    }
}
