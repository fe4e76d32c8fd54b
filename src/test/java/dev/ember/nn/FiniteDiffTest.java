package dev.ember.nn;

import static dev.ember.nn.FiniteDiff.check;
import static dev.ember.nn.FiniteDiff.leaf;
import static dev.ember.nn.FiniteDiff.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The checker itself: it passes correct gradients and catches wrong ones. */
class FiniteDiffTest {

    @Test
    void passesACorrectGradient() {
        Tensor x = leaf(uniform(1, -2, 2, 3, 4));
        Tensor w = leaf(uniform(2, -2, 2, 4, 2));
        check("x @ w then tanh", () -> x.matmul(w).tanh(), List.of(x, w));
    }

    @Test
    void catchesAWrongGradient() {
        Tensor x = leaf(uniform(3, 0.5, 2, 5));
        // x * detach(x): autograd sees d/dx = x, the true derivative of x² is 2x
        assertThrows(AssertionError.class, () -> check("x * x.detach()", () -> x.mul(x.detach()), List.of(x)));
        // a gradient off by 2%: just outside rtol
        assertThrows(AssertionError.class, () -> check("0.98 scale hidden from autograd",
                () -> x.mul(3).add(x.detach().mul(0.06)), List.of(x)));
    }

    @Test
    void catchesAMissingGradient() {
        Tensor x = leaf(uniform(4, -1, 1, 3));
        Tensor unused = leaf(uniform(5, -1, 1, 3));
        assertThrows(AssertionError.class, () -> check("unused input", () -> x.mul(2), List.of(x, unused)));
    }
}
