package dev.ember.autograd;

import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The checker itself: it passes correct rules and catches wrong ones, naming the worst element. */
class GradCheckTest {

    @Test
    void passesACorrectComposite() {
        GradCheck.check(in -> in[0].mul(in[1]).add(in[0].sin()), randn(1, 3, 4), randn(2, 3, 4));
    }

    @Test
    void catchesAMissingTerm() {
        // x * x.detach() has the derivative x, not 2x: the engine sees only one factor
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check(in -> in[0].mul(in[0].detach()), randn(3, 2, 3)));
        assertTrue(e.getMessage().contains("gradcheck failed"), e.getMessage());
        assertTrue(e.getMessage().contains("input 0 [2, 3]"), e.getMessage());
    }

    @Test
    void catchesAGradientThatIsFivePercentOff() {
        // the value is 1.05 x, the recorded derivative only 1
        GradCheck.Report r = GradCheck.withDefaults().compare(in -> in[0].add(in[0].detach().mul(0.05)), randn(4, 3, 3));
        assertFalse(r.passed(), r.message());
    }

    @Test
    void namesTheIndexOfTheWorstElement() {
        float[] mask = new float[12];
        mask[6] = 1; // flat 6 of a [3, 4] tensor is row 1, column 2
        Tensor m = Tensor.wrap(mask, 3, 4);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check(in -> in[0].add(in[0].detach().mul(m)), randn(5, 3, 4)));
        assertTrue(e.getMessage().contains("at index [1, 2]"), e.getMessage());
    }

    @Test
    void catchesAGradientOfTheWrongInput() {
        // the value depends on y, but y is detached, so its analytic gradient is zero
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check(in -> in[0].mul(in[1].detach()).mul(2), randn(6, 4), randn(7, 4)));
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
    }

    @Test
    void passesIntegerInputsThrough() {
        Tensor index = Tensor.ofLongs(2, 0, 2);
        GradCheck.check(in -> in[0].indexSelect(0, in[1]).exp(), randn(8, 3), index);
    }
}
