package dev.ember.autograd;

/**
 * Whether operations record the graph, per thread (PyTorch's grad mode). Use as
 * {@code try (var off = GradMode.noGrad()) { ... }}; the previous mode returns on close.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned scope closes ({@code torch.no_grad()}). */
    public static Scope noGrad() {
        return set(false);
    }

    /** Turns recording on until the returned scope closes ({@code torch.enable_grad()}). */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return new Scope(flag, previous);
    }

    /** Restores the grad mode that was in force when it was opened. */
    public static final class Scope implements AutoCloseable {
        private final boolean[] flag;
        private final boolean previous;

        private Scope(boolean[] flag, boolean previous) {
            this.flag = flag;
            this.previous = previous;
        }

        @Override
        public void close() {
            flag[0] = previous;
        }
    }
}
