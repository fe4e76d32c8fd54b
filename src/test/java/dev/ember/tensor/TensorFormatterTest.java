package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.tensor.random.Generator;
import org.junit.jupiter.api.Test;

/** toString against PyTorch's printed output (torch/_tensor_str.py with default print options). */
class TensorFormatterTest {

    @Test
    void seededRandn() {
        // torch.manual_seed(7); torch.randn(1, 5)
        Generator.manualSeed(7);
        assertEquals("tensor([[-0.1468,  0.7861,  0.9468, -1.1143,  1.6908]])", Tensor.randn(1, 5).toString());
    }

    @Test
    void integerValuedFloats() {
        assertEquals("tensor([1., 2., 3.])", Tensor.of(1, 2, 3).toString());
        assertEquals("tensor([-1., 10.])", Tensor.of(-1, 10).toString());
        assertEquals("tensor([0., 0.])", Tensor.zeros(2).toString());
        assertEquals("tensor([-0., 1.])", Tensor.of(-0f, 1).toString());
    }

    @Test
    void int64AndBool() {
        assertEquals("tensor([0, 1, 2])", Tensor.arange(3).toString());
        assertEquals("tensor([ -5, 100])", Tensor.ofLongs(-5, 100).toString());
        assertEquals("tensor([ True, False])", Tensor.of(1, 0).ne(0).toString());
        assertEquals("tensor([True, True])", Tensor.of(1, 2).ne(0).toString());
        assertEquals("tensor(True)", Tensor.of(1).ne(0).sum().ne(0).view().toString());
    }

    @Test
    void scalars() {
        assertEquals("tensor(3.5000)", Tensor.scalar(3.5).toString());
        assertEquals("tensor(3.)", Tensor.scalar(3).toString());
        assertEquals("tensor(3)", Tensor.arange(4).sum().sub(3).toString());
        assertEquals("tensor(-0.1000)", Tensor.scalar(-0.1).toString());
    }

    @Test
    void fixedPointRoundsToFourDecimals() {
        assertEquals("tensor([0.1235, 2.0000])", Tensor.of(0.12345678f, 2).toString());
        assertEquals("tensor([ 0.5000, -1.2500])", Tensor.of(0.5f, -1.25f).toString());
    }

    @Test
    void scientificMode() {
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.of(1e-5f, 1).toString());
        assertEquals("tensor([1.0000e+05, 1.0000e+00])", Tensor.of(1e5f, 1).toString());
        assertEquals("tensor([1.0000e-01, 1.2346e+02])", Tensor.of(0.1f, 123.456f).toString());
        assertEquals("tensor([1.0000e+10, 1.0000e+00])", Tensor.of(1e10f, 1).toString());
        assertEquals("tensor(1.0000e-05)", Tensor.scalar(1e-5).toString());
    }

    @Test
    void nanAndInfinity() {
        assertEquals("tensor([nan, 1., inf])", Tensor.of(Float.NaN, 1, Float.POSITIVE_INFINITY).toString());
        assertEquals("tensor([  -inf, 0.5000])", Tensor.of(Float.NEGATIVE_INFINITY, 0.5f).toString());
        assertEquals("tensor([nan, nan])", Tensor.of(Float.NaN, Float.NaN).toString());
    }

    @Test
    void summarisedAboveAThousandElements() {
        assertEquals("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Tensor.arange(2000).toString());
        assertEquals("tensor([0., 0., 0.,  ..., 0., 0., 0.])", Tensor.zeros(1001).toString());
        assertEquals("tensor([[0., 0., 0.,  ..., 0., 0., 0.],\n"
                + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
                + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
                + "        ...,\n"
                + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
                + "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
                + "        [0., 0., 0.,  ..., 0., 0., 0.]])", Tensor.zeros(100, 100).toString());
    }

    @Test
    void matricesAlignTheirColumns() {
        assertEquals("tensor([[ 1.0000, -2.5000],\n"
                + "        [30.0000,  4.0000]])", Tensor.of(new float[][] {{1, -2.5f}, {30, 4}}).toString());
        assertEquals("tensor([[  1,  20],\n"
                + "        [300,   4]])", Tensor.wrap(new long[] {1, 20, 300, 4}, 2, 2).toString());
        assertEquals("tensor([[[0, 1],\n"
                + "         [2, 3]],\n"
                + "\n"
                + "        [[4, 5],\n"
                + "         [6, 7]]])", Tensor.arange(8).view(2, 2, 2).toString());
        assertEquals("tensor([[0., 2., 4.],\n"
                + "        [1., 3., 5.]])", Tensor.arange(0.0, 6.0, 1.0).view(3, 2).t().toString());
    }

    @Test
    void longRowsWrapAtEightyColumns() {
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                + "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
                + "        28., 29.])", Tensor.arange(0.0, 30.0, 1.0).toString());
    }

    @Test
    void gradSuffixes() {
        Tensor x = Tensor.of(1, 2).requiresGrad(true);
        assertEquals("tensor([1., 2.], requires_grad=True)", x.toString());
        assertEquals("tensor([2., 4.], grad_fn=<MulBackward0>)", x.mul(x.add(1).sub(x).mul(2)).toString());
        assertEquals("tensor(3., grad_fn=<SumBackward0>)", x.sum().toString());
        assertEquals("tensor([1., 2.])", x.detach().toString());
        // the suffix moves to its own line when the last line would pass 80 columns
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.],\n"
                + "       requires_grad=True)", Tensor.arange(0.0, 14.0, 1.0).requiresGrad(true).toString());
    }

    @Test
    void emptyTensors() {
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());
        assertEquals("tensor([], dtype=torch.int64)", Tensor.arange(0).toString());
        assertEquals("tensor([], size=(0, 3), dtype=torch.int64)", Tensor.arange(0).view(0, 3).toString());
        assertEquals("tensor([], dtype=torch.bool)", Tensor.zeros(0).ne(0).toString());
    }
}
