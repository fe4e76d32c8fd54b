package dev.ember.autograd;

import static dev.ember.TestTensors.assertValues;
import static dev.ember.TestTensors.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** How backward, .grad, grad mode, retained graphs and in-place checks behave, as in PyTorch. */
class AutogradSemanticsTest {

    private static Tensor leaf(float... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    @Test
    void backwardOfAScalarFillsLeafGradients() {
        Tensor x = leaf(1, 2, 3);
        Tensor w = leaf(0.5f, -1, 2);
        x.mul(x).mul(w).sum().backward();
        assertValues(x.grad(), 1, -4, 12); // 2 x w
        assertValues(w.grad(), 1, 4, 9); // x^2
    }

    @Test
    void backwardWithAnExplicitGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(3);
        y.backward(Tensor.of(1, 10, 100));
        assertValues(x.grad(), 3, 30, 300);
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor y = leaf(1, 2).mul(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("grad can be implicitly created only for scalar outputs"), e.getMessage());
    }

    @Test
    void aOneElementNonScalarNeedsNoGradient() {
        // PyTorch allows backward() on any tensor with a single element, e.g. shape [1, 1]
        Tensor x = leaf(2);
        x.mul(x).view(1, 1).backward();
        assertValues(x.grad(), 4);
    }

    @Test
    void gradientMustMatchTheOutputShape() {
        Tensor y = leaf(1, 2).mul(2);
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.of(1, 2, 3)));
    }

    @Test
    void backwardOfATensorThatDoesNotRequireGradFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.of(1, 2).sum().backward());
        assertTrue(e.getMessage().contains("does not require grad and does not have a grad_fn"), e.getMessage());
    }

    @Test
    void gradientsAccumulateOverBackwardCalls() {
        Tensor x = leaf(1, 2);
        x.mul(x).sum().backward();
        x.mul(x).sum().backward();
        assertValues(x.grad(), 4, 8);
        x.mul(5).sum().backward();
        assertValues(x.grad(), 9, 13);
    }

    @Test
    void zeroGradClearsTheGradient() {
        Tensor x = leaf(1, 2);
        x.mul(x).sum().backward();
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3).sum().backward();
        assertValues(x.grad(), 3, 3);
    }

    @Test
    void accumulatedGradIsNotAnAliasOfTheIncomingGradient() {
        // x.grad must be a fresh tensor: accumulating into it must not write into the caller's gradient
        Tensor x = leaf(1, 2);
        Tensor g = Tensor.of(1, 1);
        x.backward(g);
        x.backward(g);
        assertValues(x.grad(), 2, 2);
        assertValues(g, 1, 1);
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = leaf(3);
        Tensor y = x.mul(2);
        y.add(y.mul(y)).sum().backward(); // d/dx (2x + 4x^2) = 2 + 8x
        assertValues(x.grad(), 26);
    }

    @Test
    void detachSharesMemoryButNotHistory() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.gradFn());
        assertSame(y.storage(), d.storage());
        y.mul(d).sum().backward(); // d is a constant: the gradient is 2 * d
        assertValues(x.grad(), 4, 8);
    }

    @Test
    void noGradStopsRecordingAndRestoresTheModeOnClose() {
        Tensor x = leaf(1, 2);
        assertTrue(GradMode.isEnabled());
        try (var off = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            try (var inner = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "closing a nested scope restores the outer one");
            try (var on = GradMode.enableGrad()) {
                assertTrue(GradMode.isEnabled());
                assertNotNull(x.mul(2).gradFn());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertNotNull(x.mul(2).gradFn());
    }

    @Test
    void noGradIsPerThread() throws Exception {
        try (var off = GradMode.noGrad()) {
            boolean[] other = new boolean[1];
            Thread t = new Thread(() -> other[0] = GradMode.isEnabled());
            t.start();
            t.join();
            assertTrue(other[0]);
        }
    }

    @Test
    void theSecondBackwardNeedsRetainGraph() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.mul(x).sum();
        loss.backward(Tensor.scalar(1), true);
        loss.backward(Tensor.scalar(1), true);
        assertValues(x.grad(), 4, 8);
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
        assertValues(x.grad(), 6, 12);
    }

    @Test
    void modifyingASavedTensorInPlaceFailsAtBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2);
        Tensor z = y.mul(y); // saves y
        y.addInPlace(1);
        assertEquals(1, y.version());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertTrue(e.getMessage().contains("one of the variables needed for gradient computation has been modified by "
                + "an inplace operation"), e.getMessage());
        assertTrue(e.getMessage().contains("is at version 1; expected version 0 instead"), e.getMessage());
    }

    @Test
    void modifyingASavedOutputInPlaceFails() {
        // exp saves its result, so exp_().add_() would corrupt the rule's input (PyTorch fails the same way)
        Tensor x = leaf(1, 2);
        Tensor y = x.exp();
        y.mulInPlace(2);
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void writingThroughAViewBumpsTheSharedVersion() {
        Tensor x = leaf(1, 2, 3, 4);
        Tensor y = x.mul(1);
        Tensor z = y.mul(y);
        try (var off = GradMode.noGrad()) {
            y.narrow(0, 1, 2).mulInPlace(0);
        }
        assertThrows(IllegalStateException.class, () -> z.sum().backward());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradFails() {
        Tensor x = leaf(1, 2);
        String expected = "a leaf Variable that requires grad is being used in an in-place operation.";
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> x.addInPlace(1)).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> x.mulInPlace(Tensor.of(1, 2))).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> x.fillInPlace(0)).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, x::reluInPlace).getMessage());
        assertValues(x, 1, 2);
    }

    @Test
    void inPlaceOnALeafIsAllowedUnderNoGrad() {
        // what an optimizer step does
        Tensor x = leaf(1, 2);
        try (var off = GradMode.noGrad()) {
            x.addInPlace(Tensor.of(0.5f, 0.5f), -2);
        }
        assertValues(x, 0, 1);
        assertTrue(x.isLeaf());
        assertTrue(x.requiresGrad());
        assertEquals(1, x.version());
    }

    @Test
    void inPlaceOnATensorThatDoesNotRequireGradWithAGradInput() {
        Tensor w = leaf(1, 2);
        Tensor buf = Tensor.zeros(2);
        buf.addInPlace(w.mul(3));
        assertTrue(buf.requiresGrad());
        assertFalse(buf.isLeaf());
        buf.sum().backward();
        assertValues(w.grad(), 3, 3);
    }

    @Test
    void aConsumerRecordedBeforeAnInPlaceOpKeepsTheOldHistory() {
        // PyTorch: w was computed from y before y.add_(z), so w's gradient does not reach z
        Tensor x = leaf(1, 2);
        Tensor z = leaf(5, 6);
        Tensor y = x.mul(2);
        Tensor w = y.mul(3.0);
        y.addInPlace(z);
        w.sum().backward();
        assertValues(x.grad(), 6, 6);
        assertNull(z.grad());
    }

    @Test
    void gradientsThroughTheOldAndNewVersionOfATensor() {
        // h = 2x; a = h.sum(); h.relu_(); b = h.sum(): d(a + b)/dx = 2 + 2 * (h > 0)
        Tensor x = leaf(-1, 2);
        Tensor h = x.mul(2);
        Tensor a = h.sum();
        h.reluInPlace();
        Tensor b = h.sum();
        a.add(b).backward();
        assertValues(x.grad(), 2, 4);
    }

    @Test
    void fillInPlaceCutsTheOldHistory() {
        // PyTorch: after y.fill_(1), y no longer depends on x; x.grad comes from the second factor only
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2);
        y.fillInPlace(1);
        assertEquals("FillBackward0", y.gradFn().name());
        y.mul(x).sum().backward();
        assertValues(x.grad(), 1, 1);
    }

    @Test
    void copyInPlaceReplacesTheHistoryWithTheSource() {
        Tensor x = leaf(1, 2);
        Tensor s = leaf(7);
        Tensor y = x.mul(2);
        y.copyInPlace(s.mul(3)); // broadcast [1] -> [2]
        assertFalse(y.isLeaf());
        y.mul(x).sum().backward();
        assertValues(x.grad(), 21, 21);
        assertValues(s.grad(), 9); // 3 * (1 + 2)
        assertNull(y.grad());
    }

    @Test
    void copyInPlaceOfAConstantIntoANonLeaf() {
        // PyTorch: the old history gets a zero gradient, y stays a non-leaf
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2);
        y.copyInPlace(Tensor.of(5, 6));
        assertFalse(y.isLeaf());
        y.mul(x).sum().backward();
        assertValues(x.grad(), 5, 6);
        assertNull(y.grad());
    }

    @Test
    void retainGradKeepsTheGradientOfANonLeaf() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(3);
        Tensor z = y.mul(y);
        assertFalse(y.retainsGrad());
        y.retainGrad();
        assertTrue(y.retainsGrad());
        z.sum().backward();
        assertValues(y.grad(), 6, 12); // 2y
        assertValues(x.grad(), 18, 36);
        assertNull(z.grad(), "a non-leaf without retainGrad gets no .grad");
    }

    @Test
    void retainGradOnTheRootGetsTheSeedGradient() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.mul(x).sum().retainGrad();
        loss.backward();
        assertValues(loss.grad(), 1);
    }

    @Test
    void requiresGradIsOnlyForFloatTensors() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.arange(3).requiresGrad(true));
        assertTrue(e.getMessage().contains("only floating point tensors can require gradients"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.of(1, 0).ne(0).requiresGrad(true));
        Tensor.arange(3).requiresGrad(false); // allowed, as in PyTorch
    }

    @Test
    void requiresGradCannotBeSwitchedOffOnANonLeaf() {
        Tensor y = leaf(1).mul(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertTrue(e.getMessage().contains("you can only change requires_grad flags of leaf variables"), e.getMessage());
    }

    @Test
    void leavesAndGradFnNames() {
        Tensor x = leaf(1, 2);
        Tensor c = Tensor.of(3, 4);
        assertTrue(x.isLeaf());
        assertTrue(c.isLeaf());
        assertFalse(c.requiresGrad());
        assertNull(c.mul(c).gradFn(), "ops on tensors that do not require grad record nothing");
        assertEquals("MulBackward0", x.mul(c).gradFn().name());
        assertEquals("AddBackward0", x.add(c).gradFn().name());
        assertEquals("SubBackward0", x.sub(c).gradFn().name());
        assertEquals("DivBackward0", x.div(c).gradFn().name());
        assertEquals("MulBackward1", x.mul(2).gradFn().name());
        assertEquals("ExpBackward0", x.exp().gradFn().name());
        assertEquals("SumBackward0", x.sum().gradFn().name());
        assertEquals("SumBackward1", x.sum(0, false).gradFn().name());
        assertEquals("ViewBackward0", x.view(2, 1).gradFn().name());
        assertEquals("TransposeBackward0", x.view(2, 1).t().gradFn().name());
        assertEquals("MmBackward0", x.view(1, 2).mm(c.view(2, 1)).gradFn().name());
        assertEquals("BmmBackward0", x.view(1, 1, 2).bmm(c.view(1, 2, 1)).gradFn().name());
        assertEquals("MaxBackward0", x.max(0, false).values().gradFn().name());
        assertEquals("MaxBackward1", x.max().gradFn().name());
        assertFalse(x.eq(c).requiresGrad(), "comparisons are not differentiable");
        assertNull(x.max(0, false).indices().gradFn());
        assertEquals(DType.INT64, x.argmax().dtype());
    }

    @Test
    void tiesInMaximumSplitTheGradient() {
        // PyTorch: where(x == y, grad / 2, grad), masked to the larger side
        Tensor x = leaf(1, 2, 3);
        Tensor y = leaf(1, 5, 0);
        x.maximum(y).sum().backward();
        assertValues(x.grad(), 0.5f, 0, 1);
        assertValues(y.grad(), 0.5f, 1, 0);
    }

    @Test
    void tiesInAFullMaxShareTheGradientEvenly() {
        // PyTorch: max() with ties distributes the gradient evenly (evenly_distribute_backward)
        Tensor x = leaf(3, 1, 3, 3);
        x.max().backward();
        assertValues(x.grad(), 1 / 3f, 0, 1 / 3f, 1 / 3f);
    }

    @Test
    void tiesInMaxAlongADimGoToTheFirstIndex() {
        Tensor x = Tensor.of(new float[][] {{2, 7, 7}, {4, 4, 1}}).requiresGrad(true);
        x.max(1, false).values().sum().backward();
        assertValues(x.grad(), 0, 1, 0, 1, 0, 0);
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.mul(1.0001);
        }
        y.sum().backward();
        assertEquals(Math.pow(1.0001, 20_000), x.grad().item(), 1e-2);
    }

    @Test
    void sharedSubgraphsRunEachRuleOnce() {
        // a diamond: both branches meet again; with retainGraph=false a rule run twice would fail
        Tensor x = leaf(2);
        Tensor h = x.exp();
        Tensor loss = h.mul(h.sin()).add(h.cos()).sum();
        loss.backward();
        double e2 = Math.exp(2);
        double expected = e2 * Math.sin(e2) + e2 * e2 * Math.cos(e2) - e2 * Math.sin(e2);
        assertEquals(expected, x.grad().item(), 1e-3 * Math.abs(expected));
    }

    @Test
    void gradientOfAnUnusedInputIsNull() {
        Tensor x = leaf(1);
        Tensor unused = leaf(2);
        x.mul(2).sum().backward();
        assertNull(unused.grad());
    }

    @Test
    void randomTensorsAreLeaves() {
        Tensor w = randn(1, 3).requiresGrad(true);
        assertTrue(w.isLeaf());
        assertTrue(w.requiresGrad());
    }
}
