package dev.ember.backend;

/**
 * The per-step scalars of {@link Backend#adam}, each rounded to float once: the values its composed
 * default hands to the unary ops and axpy, and so the ones a fused Adam must use for the same bits.
 *
 * @param decay       AdamW's factor on p, {@code 1 - lr·wd}, or Adam's {@code wd} on p added to g
 * @param decays      whether weight decay applies at all ({@code wd != 0})
 * @param keep1       {@code 1 - β1}; {@code keep2} likewise
 * @param invBias2Sqrt {@code 1 / √(1 - β2^t)}
 * @param step        {@code -lr / (1 - β1^t)}, what m / denom is scaled by when added to p
 */
public record AdamScalars(float decay, boolean decays, boolean decoupled, float beta1, float keep1, float beta2,
                          float keep2, float invBias2Sqrt, float eps, float step) {

    /** For step {@code t} (from 1) of Adam ({@code decoupled}: AdamW) with these hyperparameters. */
    public static AdamScalars of(double lr, double beta1, double beta2, double eps, double weightDecay,
                                 boolean decoupled, double t) {
        return new AdamScalars((float) (decoupled ? 1 - lr * weightDecay : weightDecay), weightDecay != 0, decoupled,
                (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) (1 / Math.sqrt(1 - Math.pow(beta2, t))), (float) eps, (float) (-lr / (1 - Math.pow(beta1, t))));
    }
}
