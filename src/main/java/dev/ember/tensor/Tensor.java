package dev.ember.tensor;

import dev.ember.autograd.Backward;
import dev.ember.autograd.Derivatives;
import dev.ember.autograd.Engine;
import dev.ember.autograd.GradMode;
import dev.ember.autograd.Node;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.cpu.CpuStorage;
import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.ShapeException;
import dev.ember.core.Storage;
import dev.ember.tensor.random.Generator;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array with PyTorch's semantics: a view (shape, strides, offset) over a storage
 * that other views may share, NumPy broadcasting, and reverse-mode autograd. Methods are named as
 * in PyTorch in camelCase ({@code logSoftmax}, {@code requiresGrad}); in-place variants end in
 * {@code InPlace} ({@code addInPlace} is {@code add_}).
 *
 * <p>Layout metadata is immutable; the graph fields ({@code grad}, {@code gradFn}) change as autograd runs.
 */
public final class Tensor {
    private final Storage storage;
    private final Layout layout;
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    private Node gradFn;

    Tensor(Storage storage, Layout layout) {
        this.storage = storage;
        this.layout = layout;
    }

    // ---------------------------------------------------------------- creation

    static Tensor empty(Shape shape, DType dtype, Device device) {
        return new Tensor(Backends.of(device).allocate(dtype, shape.numel()), Layout.contiguous(shape));
    }

    /** Zeros of a float32 tensor on {@code device}. */
    public static Tensor zeros(Shape shape, Device device) {
        return empty(shape, DType.FLOAT32, device);
    }

    /** {@code torch.zeros(shape)}, float32 on the CPU. */
    public static Tensor zeros(int... shape) {
        return empty(Shape.of(shape), DType.FLOAT32, Device.cpu());
    }

    public static Tensor ones(int... shape) {
        return full(1, shape);
    }

    public static Tensor full(double value, int... shape) {
        Tensor t = zeros(shape);
        t.backend().fill(t.storage, t.layout, value);
        return t;
    }

    /** A 0-dimensional tensor holding {@code value}. */
    public static Tensor scalar(double value) {
        return full(value);
    }

    /** {@code torch.arange(end)}: int64 0, 1, ..., end-1. */
    public static Tensor arange(long end) {
        return arange(0, end, 1);
    }

    /** {@code torch.arange(start, end, step)} with integer arguments: int64. */
    public static Tensor arange(long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must be nonzero");
        }
        int n = (int) Math.max(0, -Math.floorDiv(start - end, step));
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = start + i * step;
        }
        return wrap(values, n);
    }

    /** {@code torch.arange(start, end, step)} with real arguments: float32. */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must be nonzero");
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (start + i * step);
        }
        return wrap(values, n);
    }

    /** {@code torch.eye(n)}. */
    public static Tensor eye(int n) {
        float[] values = new float[n * n];
        for (int i = 0; i < n; i++) {
            values[i * n + i] = 1f;
        }
        return wrap(values, n, n);
    }

    /** Uniform on [0, 1) from the global generator, matching {@code torch.rand} after the same seed. */
    public static Tensor rand(int... shape) {
        float[] values = new float[Shape.of(shape).numel()];
        Generator.global().uniform(values, 0, values.length, 0, 1);
        return wrap(values, shape);
    }

    /** Standard normal from the global generator, matching {@code torch.randn} after the same seed. */
    public static Tensor randn(int... shape) {
        float[] values = new float[Shape.of(shape).numel()];
        Generator.global().normal(values, 0, values.length, 0, 1);
        return wrap(values, shape);
    }

    /** Integers in [low, high) (int64), matching {@code torch.randint}. */
    public static Tensor randint(long low, long high, int... shape) {
        if (low >= high) {
            throw new IllegalArgumentException("randint: expected low < high, got low=" + low + ", high=" + high);
        }
        long[] values = new long[Shape.of(shape).numel()];
        Generator.global().randint(values, low, high);
        return wrap(values, shape);
    }

    /** A random permutation of 0..n-1 (int64), matching {@code torch.randperm}. */
    public static Tensor randperm(int n) {
        return wrap(Generator.global().randperm(n), n);
    }

    public static Tensor zerosLike(Tensor t) {
        return empty(t.shape(), t.dtype(), t.device());
    }

    public static Tensor onesLike(Tensor t) {
        return fullLike(t, 1);
    }

    public static Tensor fullLike(Tensor t, double value) {
        Tensor out = zerosLike(t);
        out.backend().fill(out.storage, out.layout, value);
        return out;
    }

    public static Tensor randLike(Tensor t) {
        return rand(t.shape().toArray()).to(t.device());
    }

    public static Tensor randnLike(Tensor t) {
        return randn(t.shape().toArray()).to(t.device());
    }

    /**
     * Wraps {@code data} without copying ({@code torch.from_numpy}): writes through the tensor are
     * seen in the array and the other way round. {@code shape} may contain one -1.
     */
    public static Tensor wrap(float[] data, int... shape) {
        Shape s = inferShape(shape, data.length, "wrap");
        if (s.numel() != data.length) {
            throw new ShapeException("wrap: shape " + s + " needs " + s.numel() + " elements, the array has " + data.length);
        }
        return new Tensor(CpuStorage.wrap(data, DType.FLOAT32), Layout.contiguous(s));
    }

    /** Wraps {@code data} as an int64 tensor without copying. */
    public static Tensor wrap(long[] data, int... shape) {
        Shape s = inferShape(shape, data.length, "wrap");
        if (s.numel() != data.length) {
            throw new ShapeException("wrap: shape " + s + " needs " + s.numel() + " elements, the array has " + data.length);
        }
        return new Tensor(CpuStorage.wrap(data), Layout.contiguous(s));
    }

    /** A 1-D float32 tensor holding a copy of {@code values} ({@code torch.tensor([...])}). */
    public static Tensor of(float... values) {
        return wrap(values.clone(), values.length);
    }

    /** A 2-D float32 tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] values = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new ShapeException("of: row " + r + " has " + rows[r].length + " elements, expected " + cols);
            }
            System.arraycopy(rows[r], 0, values, r * cols, cols);
        }
        return wrap(values, rows.length, cols);
    }

    /** A 1-D int64 tensor holding a copy of {@code values}. */
    public static Tensor ofLongs(long... values) {
        return wrap(values.clone(), values.length);
    }

    // ---------------------------------------------------------------- metadata

    public Shape shape() {
        return layout.shape();
    }

    /** {@code tensor.size(d)}; negative d counts from the end. */
    public int size(int d) {
        return layout.shape().size(d);
    }

    /** Number of dimensions. */
    public int dim() {
        return layout.rank();
    }

    public int numel() {
        return layout.shape().numel();
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public int[] stride() {
        return layout.strides();
    }

    public int storageOffset() {
        return layout.offset();
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    /** The layout over the storage, for backends and kernels. */
    public Layout layout() {
        return layout;
    }

    /** The storage this tensor views (shared with its views). */
    public Storage storage() {
        return storage;
    }

    /** The storage's version counter: bumped by every in-place write to it or to any of its views. */
    public int version() {
        return storage.version();
    }

    private Backend backend() {
        return Backends.of(storage.device());
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Sets {@code requires_grad} on a leaf and returns this ({@code requires_grad_()}). */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("you can only change requires_grad flags of leaf variables. If you want to "
                    + "use a computed variable in a subgraph that doesn't require differentiation use detach().");
        }
        if (value && dtype() != DType.FLOAT32) {
            throw new IllegalStateException("only floating point tensors can require gradients, got " + dtype().torchName());
        }
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient ({@code tensor.grad = g}); null clears it. */
    public void setGrad(Tensor g) {
        if (g != null && !g.shape().equals(shape())) {
            throw new ShapeException("assigned grad has shape " + g.shape() + " but the tensor has shape " + shape());
        }
        grad = g;
    }

    /** Clears the gradient ({@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        grad = null;
    }

    public Node gradFn() {
        return gradFn;
    }

    /** A leaf is a tensor not produced by a recorded op; only leaves (and retained non-leaves) get {@code .grad}. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Asks backward to fill {@code .grad} of this non-leaf too ({@code retain_grad()}). */
    public Tensor retainGrad() {
        retainsGrad = true;
        return this;
    }

    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** Adds {@code g} to {@code .grad}; called by the autograd engine. */
    public void accumulateGrad(Tensor g) {
        accumulateGrad(g, false);
    }

    /**
     * Adds {@code g} to {@code .grad}; when {@code owned} (the engine knows nothing else references g's
     * storage) a first gradient is taken as it is instead of copied, as PyTorch steals it.
     */
    public void accumulateGrad(Tensor g, boolean owned) {
        if (grad == null) {
            boolean whole = g.isContiguous() && g.storageOffset() == 0 && g.storage().size() == g.numel();
            grad = owned && whole && g.dtype() == dtype() ? new Tensor(g.storage, g.layout) : g.contiguousCopy();
        } else {
            grad.binaryInto(BinaryOp.ADD, g, grad);
        }
    }

    /** Backward from a scalar ({@code loss.backward()}). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("grad can be implicitly created only for scalar outputs, got shape " + shape());
        }
        backward(onesLike(this), false);
    }

    /** Backward with an explicit gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Backward, keeping saved tensors for another pass when {@code retainGraph}. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph);
    }

    /** A tensor sharing storage, cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, layout);
    }

    /** Records {@code name} for {@code out} when grad mode is on and some input requires grad. */
    private static Tensor record(Tensor out, String name, Backward rule, Tensor[] inputs, Tensor... saved) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.gradFn = new Node(name, inputs, rule, saved);
                out.requiresGrad = true;
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- copies and conversion

    /** Copies to {@code device}; returns this when already there ({@code .to(device)}). */
    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        Tensor src = contiguous();
        Backend target = Backends.of(device);
        Storage s = dtype() == DType.INT64
                ? target.upload(src.backend().downloadLongs(src.storage))
                : target.upload(src.backend().downloadFloats(src.storage), dtype());
        Tensor out = new Tensor(s, new Layout(shape(), src.layout.strides(), src.layout.offset()));
        Device from = device();
        return record(out, "ToCopyBackward0", Derivatives.toDevice(from), new Tensor[] {this});
    }

    /** Converts the element type ({@code .to(dtype)}); returns this when it already has it. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        Tensor out = empty(shape(), dtype, device());
        backend().copy(storage, layout, out.storage, out.layout);
        return out;
    }

    public Tensor cpu() {
        return to(Device.cpu());
    }

    public Tensor cuda() {
        return to(Device.cuda());
    }

    /** A contiguous tensor with these values: this one if already contiguous. */
    public Tensor contiguous() {
        return isContiguous() ? this : clone();
    }

    /** A copy in fresh contiguous memory ({@code clone()}), differentiable. */
    @Override
    public Tensor clone() {
        return record(contiguousCopy(), "CloneBackward0", Derivatives.IDENTITY, new Tensor[] {this});
    }

    private Tensor contiguousCopy() {
        Tensor out = empty(shape(), dtype(), device());
        backend().copy(storage, layout, out.storage, out.layout);
        return out;
    }

    /** All elements in row-major order as floats (a copy). */
    public float[] toFloatArray() {
        Tensor c = to(DType.FLOAT32).contiguousCopy().cpu();
        return ((CpuStorage) c.storage).floats();
    }

    /** All elements in row-major order as longs (a copy). */
    public long[] toLongArray() {
        Tensor c = to(DType.INT64).contiguousCopy().cpu();
        return ((CpuStorage) c.storage).longs();
    }

    /** The value of a one-element tensor ({@code .item()}). */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("a Tensor with " + numel() + " elements cannot be converted to a scalar");
        }
        return dtype() == DType.INT64 ? toLongArray()[0] : toFloatArray()[0];
    }

    /** The element at the given indices (one per dim), as a double. */
    public double get(int... index) {
        if (index.length != dim()) {
            throw new ShapeException("get: expected " + dim() + " indices for shape " + shape() + ", got " + index.length);
        }
        Tensor t = this;
        for (int i = index.length - 1; i >= 0; i--) {
            t = t.select(i, index[i]);
        }
        return t.item();
    }

    // ---------------------------------------------------------------- views

    private Tensor viewOf(Layout l, String name, Backward rule) {
        return record(new Tensor(storage, l), name, rule, new Tensor[] {this});
    }

    private static Shape inferShape(int[] shape, int numel, String op) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException(op + ": only one dimension can be inferred, got " + Arrays.toString(shape));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new ShapeException(op + ": invalid shape dimension " + shape[i] + " in " + Arrays.toString(shape));
            } else {
                known *= shape[i];
            }
        }
        int[] out = shape.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new ShapeException(op + ": shape " + Arrays.toString(shape) + " is invalid for input of size " + numel);
            }
            out[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new ShapeException(op + ": shape " + Arrays.toString(shape) + " is invalid for input of size " + numel);
        }
        return Shape.of(out);
    }

    /** A view with a new shape; fails when the strides do not allow it, as {@code view} does in PyTorch. */
    public Tensor view(int... shape) {
        Shape s = inferShape(shape, numel(), "view");
        Layout l = layout.view(s);
        if (l == null) {
            throw new ShapeException("view size is not compatible with input tensor's size and stride (at least one "
                    + "dimension spans across two contiguous subspaces): shape " + shape() + ", strides "
                    + Arrays.toString(stride()) + " -> " + s + ". Use .reshape(...) instead.");
        }
        return viewOf(l, "ViewBackward0", Derivatives.reshapeTo(shape()));
    }

    /** {@code view} when possible, otherwise a contiguous copy with the new shape. */
    public Tensor reshape(int... shape) {
        Shape s = inferShape(shape, numel(), "reshape");
        Layout l = layout.view(s);
        if (l != null) {
            return viewOf(l, "ViewBackward0", Derivatives.reshapeTo(shape()));
        }
        return clone().view(shape);
    }

    public Tensor flatten() {
        return reshape(-1);
    }

    /** Merges dims {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        int s = Shape.normalizeDim(start, dim(), "flatten");
        int e = Shape.normalizeDim(end, dim(), "flatten");
        if (dim() == 0) {
            return reshape(1);
        }
        int[] dims = shape().toArray();
        int[] out = new int[dims.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            out[k++] = dims[i];
        }
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= dims[i];
        }
        out[k++] = merged;
        for (int i = e + 1; i < dims.length; i++) {
            out[k++] = dims[i];
        }
        return reshape(out);
    }

    public Tensor permute(int... order) {
        if (order.length != dim()) {
            throw new ShapeException("permute: number of dims don't match (order " + Arrays.toString(order)
                    + " for shape " + shape() + ")");
        }
        int[] norm = new int[order.length];
        boolean[] used = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            norm[i] = Shape.normalizeDim(order[i], dim(), "permute");
            if (used[norm[i]]) {
                throw new ShapeException("permute: repeated dim in " + Arrays.toString(order));
            }
            used[norm[i]] = true;
        }
        int[] inverse = new int[norm.length];
        for (int i = 0; i < norm.length; i++) {
            inverse[norm[i]] = i;
        }
        return viewOf(layout.permute(norm), "PermuteBackward0", Derivatives.permute(inverse));
    }

    public Tensor transpose(int d0, int d1) {
        int a = Shape.normalizeDim(d0, dim(), "transpose");
        int b = Shape.normalizeDim(d1, dim(), "transpose");
        int[] order = new int[dim()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[a] = b;
        order[b] = a;
        return viewOf(layout.permute(order), "TransposeBackward0", Derivatives.transpose(a, b));
    }

    /** Transpose of a matrix (0-D and 1-D tensors are returned as they are), as {@code .t()}. */
    public Tensor t() {
        if (dim() > 2) {
            throw new ShapeException("t() expects a tensor with <= 2 dimensions, but self is " + dim() + "D");
        }
        return dim() < 2 ? this : transpose(0, 1);
    }

    public Tensor unsqueeze(int d) {
        int n = Shape.normalizeDim(d, dim() + 1, "unsqueeze");
        return viewOf(layout.unsqueeze(n), "UnsqueezeBackward0", Derivatives.squeeze(n));
    }

    /** Removes dim {@code d} if it has size 1 (otherwise returns this, as PyTorch does). */
    public Tensor squeeze(int d) {
        int n = Shape.normalizeDim(d, dim(), "squeeze");
        if (dim() == 0 || size(n) != 1) {
            return this;
        }
        return viewOf(layout.squeeze(n), "SqueezeBackward1", Derivatives.unsqueeze(n));
    }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        Layout l = layout;
        for (int d = dim() - 1; d >= 0; d--) {
            if (size(d) == 1) {
                l = l.squeeze(d);
            }
        }
        return viewOf(l, "SqueezeBackward0", Derivatives.reshapeTo(shape()));
    }

    /** Broadcasts to a larger shape without copying; -1 keeps a dim. */
    public Tensor expand(int... sizes) {
        int lead = sizes.length - dim();
        if (lead < 0) {
            throw new ShapeException("expand: the number of sizes provided (" + sizes.length + ") must be greater or equal"
                    + " to the number of dimensions in the tensor (" + dim() + ")");
        }
        int[] target = sizes.clone();
        for (int i = 0; i < target.length; i++) {
            int src = i - lead;
            if (target[i] == -1) {
                if (src < 0) {
                    throw new ShapeException("expand: -1 is not allowed in a leading, non-existing dimension");
                }
                target[i] = size(src);
            } else if (src >= 0 && size(src) != 1 && size(src) != target[i]) {
                throw new ShapeException("expand: the expanded size of the tensor (" + target[i] + ") must match the "
                        + "existing size (" + size(src) + ") at non-singleton dimension " + i + ". Target sizes: "
                        + Arrays.toString(sizes) + ". Tensor sizes: " + shape());
            }
        }
        Shape s = Shape.of(target);
        if (s.equals(shape())) {
            return this;
        }
        return viewOf(layout.expand(s), "ExpandBackward0", Derivatives.IDENTITY);
    }

    public Tensor expandAs(Tensor other) {
        return expand(other.shape().toArray());
    }

    /** Elements [start, start+length) along {@code dim}, sharing memory. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shape.normalizeDim(dim, dim(), "narrow");
        if (start < 0) {
            start += size(d);
        }
        if (start < 0 || length < 0 || start + length > size(d)) {
            throw new IndexOutOfBoundsException("narrow: start (" + start + ") + length (" + length
                    + ") exceeds dimension size (" + size(d) + ") of dim " + d + " in shape " + shape());
        }
        return viewOf(layout.narrow(d, start, length), "SliceBackward0", Derivatives.narrow(shape(), d, start));
    }

    /** Elements [start, end) of {@code dim} ({@code t[:, start:end]}). */
    public Tensor slice(int dim, int start, int end) {
        int d = Shape.normalizeDim(dim, dim(), "slice");
        int n = size(d);
        int s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e = Math.min(Math.max(end < 0 ? end + n : end, s), n);
        return narrow(d, s, e - s);
    }

    /** Drops {@code dim} by taking index {@code index} along it ({@code t[index]} for dim 0). */
    public Tensor select(int dim, int index) {
        int d = Shape.normalizeDim(dim, dim(), "select");
        int n = size(d);
        if (index < -n || index >= n) {
            throw new IndexOutOfBoundsException("select(): index " + index + " out of range for tensor of size "
                    + shape() + " at dimension " + d);
        }
        int i = index < 0 ? index + n : index;
        return viewOf(layout.select(d, i), "SelectBackward0", Derivatives.select(shape(), d, i));
    }

    // ---------------------------------------------------------------- elementwise

    private void checkDevice(Tensor other, String op) {
        if (!device().equals(other.device())) {
            throw new IllegalArgumentException(op + ": expected all tensors to be on the same device, but found at least "
                    + "two devices, " + device() + " and " + other.device());
        }
    }

    /** int64 stays int64 under sign-like ops and integral scalars, as in PyTorch; everything else computes in float32. */
    private DType unaryOutType(UnaryOp op, double a, double b) {
        if (dtype() != DType.INT64) {
            return DType.FLOAT32;
        }
        return switch (op) {
            case NEG, ABS, SIGN, RELU -> DType.INT64;
            case ADD_SCALAR, MUL_SCALAR -> a == Math.rint(a) ? DType.INT64 : DType.FLOAT32;
            case CLAMP -> (Double.isNaN(a) || a == Math.rint(a)) && (Double.isNaN(b) || b == Math.rint(b))
                    ? DType.INT64 : DType.FLOAT32;
            default -> DType.FLOAT32;
        };
    }

    private Tensor unaryOp(UnaryOp op, double a, double b, String name, Backward rule, boolean saveOutput) {
        DType outType = unaryOutType(op, a, b);
        Tensor out = empty(shape(), outType, device());
        backend().unary(op, a, b, storage, layout, out.storage, out.layout);
        return saveOutput ? record(out, name, rule, new Tensor[] {this}, out)
                : record(out, name, rule, new Tensor[] {this}, this);
    }

    private Tensor binaryOp(BinaryOp op, Tensor other, String name, Backward rule) {
        checkDevice(other, opName(op));
        Shape s = Shape.broadcast(shape(), other.shape(), opName(op));
        DType outType = op.isComparison() ? DType.BOOL
                : op == BinaryOp.DIV || op == BinaryOp.POW ? DType.FLOAT32 : DType.promote(dtype(), other.dtype());
        Tensor out = empty(s, outType, device());
        backend().binary(op, storage, layout.expand(s), other.storage, other.layout.expand(s), out.storage, out.layout);
        return op.isComparison() ? out : record(out, name, rule, new Tensor[] {this, other}, this, other);
    }

    private static String opName(BinaryOp op) {
        return op.name().toLowerCase(java.util.Locale.ROOT);
    }

    public Tensor add(Tensor other) {
        return binaryOp(BinaryOp.ADD, other, "AddBackward0", Derivatives.ADD);
    }

    /** {@code this + alpha * other} ({@code torch.add(x, y, alpha=...)}). */
    public Tensor add(Tensor other, double alpha) {
        return add(other.mul(alpha));
    }

    public Tensor add(double value) {
        return unaryOp(UnaryOp.ADD_SCALAR, value, 0, "AddBackward1", Derivatives.IDENTITY, false);
    }

    public Tensor sub(Tensor other) {
        return binaryOp(BinaryOp.SUB, other, "SubBackward0", Derivatives.SUB);
    }

    public Tensor sub(double value) {
        return add(-value);
    }

    /** {@code value - this} ({@code torch.rsub}). */
    public Tensor rsub(double value) {
        return neg().add(value);
    }

    public Tensor mul(Tensor other) {
        return binaryOp(BinaryOp.MUL, other, "MulBackward0", Derivatives.MUL);
    }

    public Tensor mul(double value) {
        return unaryOp(UnaryOp.MUL_SCALAR, value, 0, "MulBackward1", Derivatives.mulScalar(value), false);
    }

    public Tensor div(Tensor other) {
        return binaryOp(BinaryOp.DIV, other, "DivBackward0", Derivatives.DIV);
    }

    public Tensor div(double value) {
        return mul(1.0 / value);
    }

    public Tensor pow(Tensor exponent) {
        return binaryOp(BinaryOp.POW, exponent, "PowBackward1", Derivatives.POW);
    }

    public Tensor pow(double exponent) {
        return unaryOp(UnaryOp.POW_SCALAR, exponent, 0, "PowBackward0", Derivatives.powScalar(exponent), false);
    }

    /** {@code base ** this}. */
    public Tensor rpow(double base) {
        return unaryOp(UnaryOp.SCALAR_POW, base, 0, "PowBackward2", Derivatives.scalarPow(base), true);
    }

    public Tensor square() {
        return mul(this);
    }

    public Tensor maximum(Tensor other) {
        return binaryOp(BinaryOp.MAXIMUM, other, "MaximumBackward0", Derivatives.MAXIMUM);
    }

    public Tensor minimum(Tensor other) {
        return binaryOp(BinaryOp.MINIMUM, other, "MinimumBackward0", Derivatives.MINIMUM);
    }

    /**
     * PyTorch's {@code threshold_backward(this, output, 0)}: this (a gradient) where {@code output > 0}
     * or NaN, else 0, in one pass: ReLU's backward.
     */
    public Tensor reluBackward(Tensor output) {
        return binaryOp(BinaryOp.RELU_BACKWARD, output, "ThresholdBackwardBackward0", Derivatives.RELU_BACKWARD);
    }

    public Tensor neg() {
        return unaryOp(UnaryOp.NEG, 0, 0, "NegBackward0", Derivatives.NEG, false);
    }

    public Tensor exp() {
        return unaryOp(UnaryOp.EXP, 0, 0, "ExpBackward0", Derivatives.EXP, true);
    }

    public Tensor log() {
        return unaryOp(UnaryOp.LOG, 0, 0, "LogBackward0", Derivatives.LOG, false);
    }

    public Tensor sqrt() {
        return unaryOp(UnaryOp.SQRT, 0, 0, "SqrtBackward0", Derivatives.SQRT, true);
    }

    public Tensor abs() {
        return unaryOp(UnaryOp.ABS, 0, 0, "AbsBackward0", Derivatives.ABS, false);
    }

    /** -1, 0 or 1 (not differentiable: its gradient is zero). */
    public Tensor sign() {
        return unaryOp(UnaryOp.SIGN, 0, 0, "SignBackward0", Derivatives.ZERO, false);
    }

    public Tensor sigmoid() {
        return unaryOp(UnaryOp.SIGMOID, 0, 0, "SigmoidBackward0", Derivatives.SIGMOID, true);
    }

    public Tensor tanh() {
        return unaryOp(UnaryOp.TANH, 0, 0, "TanhBackward0", Derivatives.TANH, true);
    }

    public Tensor relu() {
        return unaryOp(UnaryOp.RELU, 0, 0, "ReluBackward0", Derivatives.RELU, true);
    }

    public Tensor leakyRelu(double negativeSlope) {
        return unaryOp(UnaryOp.LEAKY_RELU, negativeSlope, 0, "LeakyReluBackward0",
                Derivatives.leakyRelu(negativeSlope), false);
    }

    public Tensor sin() {
        return unaryOp(UnaryOp.SIN, 0, 0, "SinBackward0", Derivatives.SIN, false);
    }

    public Tensor cos() {
        return unaryOp(UnaryOp.COS, 0, 0, "CosBackward0", Derivatives.COS, false);
    }

    public Tensor reciprocal() {
        return unaryOp(UnaryOp.RECIPROCAL, 0, 0, "ReciprocalBackward0", Derivatives.RECIPROCAL, true);
    }

    /** Limits values to [min, max]; pass NaN for no bound. */
    public Tensor clamp(double min, double max) {
        return unaryOp(UnaryOp.CLAMP, min, max, "ClampBackward1", Derivatives.clamp(min, max), false);
    }

    public Tensor clampMin(double min) {
        return clamp(min, Double.NaN);
    }

    public Tensor clampMax(double max) {
        return clamp(Double.NaN, max);
    }

    public Tensor eq(Tensor other) {
        return binaryOp(BinaryOp.EQ, other, "eq", null);
    }

    public Tensor ne(Tensor other) {
        return binaryOp(BinaryOp.NE, other, "ne", null);
    }

    public Tensor lt(Tensor other) {
        return binaryOp(BinaryOp.LT, other, "lt", null);
    }

    public Tensor le(Tensor other) {
        return binaryOp(BinaryOp.LE, other, "le", null);
    }

    public Tensor gt(Tensor other) {
        return binaryOp(BinaryOp.GT, other, "gt", null);
    }

    public Tensor ge(Tensor other) {
        return binaryOp(BinaryOp.GE, other, "ge", null);
    }

    private Tensor scalarLike(double value) {
        Tensor s = empty(Shape.scalar(), dtype() == DType.INT64 && value == Math.rint(value) ? DType.INT64
                : DType.FLOAT32, device());
        s.backend().fill(s.storage, s.layout, value);
        return s;
    }

    public Tensor eq(double value) {
        return eq(scalarLike(value));
    }

    public Tensor ne(double value) {
        return ne(scalarLike(value));
    }

    public Tensor lt(double value) {
        return lt(scalarLike(value));
    }

    public Tensor le(double value) {
        return le(scalarLike(value));
    }

    public Tensor gt(double value) {
        return gt(scalarLike(value));
    }

    public Tensor ge(double value) {
        return ge(scalarLike(value));
    }

    /** {@code torch.where(cond, x, y)} with broadcasting; cond is a bool (or 0/1) tensor. */
    public static Tensor where(Tensor cond, Tensor x, Tensor y) {
        x.checkDevice(y, "where");
        cond.checkDevice(x, "where");
        Shape s = Shape.broadcast(Shape.broadcast(cond.shape(), x.shape(), "where"), y.shape(), "where");
        Tensor out = empty(s, DType.promote(x.dtype(), y.dtype()), x.device());
        x.backend().where(cond.storage, cond.layout.expand(s), x.storage, x.layout.expand(s), y.storage,
                y.layout.expand(s), out.storage, out.layout);
        return record(out, "WhereBackward0", Derivatives.where(cond), new Tensor[] {x, y});
    }

    /** Where {@code mask} is true, {@code value}; elsewhere this ({@code masked_fill}). */
    public Tensor maskedFill(Tensor mask, double value) {
        return where(mask, scalarLike(value).to(dtype()), this);
    }

    // ---------------------------------------------------------------- in-place

    /**
     * Runs an in-place update. Without autograd the kernel writes straight into this storage; when
     * the graph must record it, the op runs out of place on a shadow (a copy of the current values
     * holding this tensor's history) and the result is copied in, as PyTorch rebases an in-place
     * op's history.
     */
    private Tensor inPlace(UnaryOperator<Tensor> op, Tensor... others) {
        boolean recording = GradMode.isEnabled() && (requiresGrad || anyRequiresGrad(others));
        if (recording && isLeaf() && requiresGrad) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
        }
        Tensor result;
        if (recording) {
            // the shadow is a copy, so a rule that saved the pre-op values (mul_, div_, clamp_) still finds
            // them after the write below, as PyTorch's original_self
            Tensor shadow = contiguousCopy();
            shadow.requiresGrad = requiresGrad;
            shadow.gradFn = gradFn;
            result = op.apply(shadow);
        } else {
            try (var off = GradMode.noGrad()) {
                result = op.apply(this);
            }
        }
        if (!result.shape().equals(shape())) {
            throw new ShapeException("output with shape " + shape() + " doesn't match the broadcast shape " + result.shape());
        }
        backend().copy(result.storage, result.layout, storage, layout);
        storage.bumpVersion();
        if (recording) {
            gradFn = result.gradFn;
            requiresGrad = true;
        }
        return this;
    }

    private static boolean anyRequiresGrad(Tensor[] ts) {
        for (Tensor t : ts) {
            if (t.requiresGrad) {
                return true;
            }
        }
        return false;
    }

    /** {@code out = this op other} written through {@code out}'s layout (no autograd). */
    private void binaryInto(BinaryOp op, Tensor other, Tensor out) {
        checkDevice(other, opName(op));
        Shape s = Shape.broadcast(shape(), other.shape(), opName(op));
        if (!s.equals(out.shape())) {
            throw new ShapeException("output with shape " + out.shape() + " doesn't match the broadcast shape " + s);
        }
        backend().binary(op, storage, layout.expand(s), other.storage, other.layout.expand(s), out.storage, out.layout);
        out.storage.bumpVersion();
    }

    private boolean directInPlace(Tensor... others) {
        return !(GradMode.isEnabled() && (requiresGrad || anyRequiresGrad(others)));
    }

    /** {@code add_}. */
    public Tensor addInPlace(Tensor other) {
        if (directInPlace(other)) {
            binaryInto(BinaryOp.ADD, other, this);
            return this;
        }
        return inPlace(t -> t.add(other), other);
    }

    /** {@code add_(other, alpha=alpha)}: this += alpha * other. */
    public Tensor addInPlace(Tensor other, double alpha) {
        if (alpha != 1 && directInPlace(other) && dtype() == DType.FLOAT32 && other.dtype() == DType.FLOAT32) {
            checkDevice(other, "add_");
            Shape s = Shape.broadcast(shape(), other.shape(), "add_");
            if (!s.equals(shape())) {
                throw new ShapeException("output with shape " + shape() + " doesn't match the broadcast shape " + s);
            }
            backend().axpy(alpha, other.storage, other.layout.expand(s), storage, layout);
            storage.bumpVersion();
            return this;
        }
        return addInPlace(alpha == 1 ? other : other.mul(alpha));
    }

    /**
     * One SGD-with-momentum update of this parameter in place, its momentum buffer {@code buf} updated
     * too ({@link dev.ember.optim.SGD}'s formula; one fused pass where the backend has one). All three
     * float32 of this shape, on this device; only outside autograd (the optimizers run under no-grad).
     */
    public void sgdMomentumInPlace(Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                                   double weightDecay, boolean nesterov) {
        if (!directInPlace(grad, buf)) {
            throw new IllegalStateException("sgdMomentumInPlace: an optimizer update runs under GradMode.noGrad()");
        }
        for (Tensor t : new Tensor[] {grad, buf}) {
            checkDevice(t, "sgd");
            if (!t.shape().equals(shape()) || t.dtype() != DType.FLOAT32 || dtype() != DType.FLOAT32) {
                throw new ShapeException("sgd: expected float32 tensors of shape " + shape() + ", got " + t.dtype()
                        + " " + t.shape());
            }
        }
        backend().sgdMomentum(lr, momentum, dampening, weightDecay, nesterov, storage, layout, grad.storage,
                grad.layout, buf.storage, buf.layout);
        storage.bumpVersion();
        buf.storage.bumpVersion();
    }

    /**
     * One Adam (or, with {@code decoupled}, AdamW) update of this parameter in place at step
     * {@code step} (from 1), its moments {@code m} and {@code v} updated too ({@link dev.ember.optim.Adam}'s
     * formula; one fused pass where the backend has one). All four float32 of this shape, on this
     * device; only outside autograd (the optimizers run under no-grad).
     */
    public void adamInPlace(Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                            double weightDecay, boolean decoupled, double step) {
        if (!directInPlace(grad, m, v)) {
            throw new IllegalStateException("adamInPlace: an optimizer update runs under GradMode.noGrad()");
        }
        for (Tensor t : new Tensor[] {grad, m, v}) {
            checkDevice(t, "adam");
            if (!t.shape().equals(shape()) || t.dtype() != DType.FLOAT32 || dtype() != DType.FLOAT32) {
                throw new ShapeException("adam: expected float32 tensors of shape " + shape() + ", got " + t.dtype()
                        + " " + t.shape());
            }
        }
        backend().adam(lr, beta1, beta2, eps, weightDecay, decoupled, step, storage, layout, grad.storage, grad.layout,
                m.storage, m.layout, v.storage, v.layout);
        storage.bumpVersion();
        m.storage.bumpVersion();
        v.storage.bumpVersion();
    }

    public Tensor subInPlace(Tensor other) {
        if (directInPlace(other)) {
            binaryInto(BinaryOp.SUB, other, this);
            return this;
        }
        return inPlace(t -> t.sub(other), other);
    }

    public Tensor mulInPlace(Tensor other) {
        if (directInPlace(other)) {
            binaryInto(BinaryOp.MUL, other, this);
            return this;
        }
        return inPlace(t -> t.mul(other), other);
    }

    public Tensor mulInPlace(double value) {
        if (directInPlace()) {
            backend().unary(UnaryOp.MUL_SCALAR, value, 0, storage, layout, storage, layout);
            storage.bumpVersion();
            return this;
        }
        return inPlace(t -> t.mul(value));
    }

    public Tensor divInPlace(Tensor other) {
        if (directInPlace(other)) {
            binaryInto(BinaryOp.DIV, other, this);
            return this;
        }
        return inPlace(t -> t.div(other), other);
    }

    public Tensor addInPlace(double value) {
        if (directInPlace()) {
            backend().unary(UnaryOp.ADD_SCALAR, value, 0, storage, layout, storage, layout);
            storage.bumpVersion();
            return this;
        }
        return inPlace(t -> t.add(value));
    }

    /** {@code addcmul_}: this += value * t1 * t2. */
    public Tensor addcmulInPlace(Tensor t1, Tensor t2, double value) {
        return addInPlace(t1.mul(t2), value);
    }

    /** {@code addcdiv_}: this += value * t1 / t2. */
    public Tensor addcdivInPlace(Tensor t1, Tensor t2, double value) {
        return addInPlace(t1.div(t2), value);
    }

    public Tensor reluInPlace() {
        return inPlace(Tensor::relu);
    }

    public Tensor clampInPlace(double min, double max) {
        return inPlace(t -> t.clamp(min, max));
    }

    /** {@code copy_(src)}: copies (broadcasting) src's values into this tensor's memory. */
    public Tensor copyInPlace(Tensor src) {
        if (directInPlace(src)) {
            Shape s = Shape.broadcast(shape(), src.shape(), "copy_");
            if (!s.equals(shape())) {
                throw new ShapeException("copy_: source of shape " + src.shape() + " cannot be broadcast to " + shape());
            }
            Tensor from = src.device().equals(device()) ? src : src.to(device());
            backend().copy(from.storage, from.layout.expand(s), storage, layout);
            storage.bumpVersion();
            return this;
        }
        return inPlace(t -> {
            Tensor from = src.to(device()).to(dtype()).expand(shape().toArray());
            return record(from.contiguousCopy(), "CopyBackwards", Derivatives.COPY, new Tensor[] {t, from});
        }, src);
    }

    /** {@code fill_(value)}. */
    public Tensor fillInPlace(double value) {
        if (GradMode.isEnabled() && requiresGrad) {
            // the values no longer depend on the old history: its gradient is zero
            return inPlace(t -> record(fullLike(t, value), "FillBackward0", Derivatives.ZERO, new Tensor[] {t}));
        }
        backend().fill(storage, layout, value);
        storage.bumpVersion();
        return this;
    }

    /** {@code zero_()}. */
    public Tensor zeroInPlace() {
        return fillInPlace(0);
    }

    /** {@code uniform_(from, to)} from the global generator. */
    public Tensor uniformInPlace(double from, double to) {
        float[] values = new float[numel()];
        Generator.global().uniform(values, 0, values.length, from, to);
        return copyInPlace(wrap(values, shape().toArray()));
    }

    /** {@code normal_(mean, std)} from the global generator. */
    public Tensor normalInPlace(double mean, double std) {
        float[] values = new float[numel()];
        Generator.global().normal(values, 0, values.length, mean, std);
        return copyInPlace(wrap(values, shape().toArray()));
    }

    // ---------------------------------------------------------------- reductions

    private boolean[] dimMask(int[] dims, String op) {
        boolean[] mask = new boolean[dim()];
        for (int d : dims) {
            int n = Shape.normalizeDim(d, dim(), op);
            if (mask[n]) {
                throw new ShapeException(op + ": dim " + n + " appears multiple times in the list of dims");
            }
            mask[n] = true;
        }
        return mask;
    }

    private static int[] allDims(int rank) {
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = i;
        }
        return dims;
    }

    private Tensor reduceOp(ReduceOp op, int[] dims, boolean keepdim, String name) {
        boolean[] mask = dimMask(dims, name);
        int[] kept = shape().toArray();
        for (int d = 0; d < kept.length; d++) {
            if (mask[d]) {
                kept[d] = 1;
            }
        }
        DType outType = op == ReduceOp.SUM && dtype() != DType.FLOAT32 ? DType.INT64 : dtype();
        Tensor out = empty(Shape.of(kept), outType, device());
        backend().reduce(op, storage, layout, mask, out.storage, out.layout);
        if (!keepdim) {
            Layout l = out.layout;
            for (int d = kept.length - 1; d >= 0; d--) {
                if (mask[d]) {
                    l = l.squeeze(d);
                }
            }
            out = new Tensor(out.storage, l);
        }
        return out;
    }

    /** Sum of all elements. */
    public Tensor sum() {
        Tensor out = reduceOp(ReduceOp.SUM, allDims(dim()), false, "sum");
        return record(out, "SumBackward0", Derivatives.sum(shape(), dimMask(allDims(dim()), "sum"), false),
                new Tensor[] {this});
    }

    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        Tensor out = reduceOp(ReduceOp.SUM, dims, keepdim, "sum");
        return record(out, "SumBackward1", Derivatives.sum(shape(), dimMask(dims, "sum"), keepdim), new Tensor[] {this});
    }

    public Tensor mean() {
        return mean(allDims(dim()), false);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        requireFloat("mean");
        boolean[] mask = dimMask(dims, "mean");
        int count = 1;
        for (int d = 0; d < mask.length; d++) {
            if (mask[d]) {
                count *= size(d);
            }
        }
        return sum(dims, keepdim).div(count);
    }

    private void requireFloat(String op) {
        if (dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + "(): could not infer output dtype. Input dtype must be floating point,"
                    + " but got " + dtype().torchName());
        }
    }

    /**
     * Variance over {@code dims} with Bessel's correction when {@code unbiased} ({@code var(dim, unbiased, keepdim)});
     * composed from mean and sum, so autograd needs no rule of its own.
     */
    public Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
        requireFloat("var");
        boolean[] mask = dimMask(dims, "var");
        int count = 1;
        for (int d = 0; d < mask.length; d++) {
            if (mask[d]) {
                count *= size(d);
            }
        }
        Tensor centered = sub(mean(dims, true));
        return centered.mul(centered).sum(dims, keepdim).div(Math.max(unbiased ? count - 1 : count, 0));
    }

    public Tensor var(int dim, boolean unbiased, boolean keepdim) {
        return var(new int[] {dim}, unbiased, keepdim);
    }

    /** Unbiased variance of all elements. */
    public Tensor var() {
        return var(allDims(dim()), true, false);
    }

    public Tensor std(int[] dims, boolean unbiased, boolean keepdim) {
        return var(dims, unbiased, keepdim).sqrt();
    }

    public Tensor std(int dim, boolean unbiased, boolean keepdim) {
        return std(new int[] {dim}, unbiased, keepdim);
    }

    public Tensor std() {
        return var().sqrt();
    }

    /** Maximum of all elements (gradient shared evenly among ties, as in PyTorch). */
    public Tensor max() {
        Tensor out = reduceOp(ReduceOp.MAX, allDims(dim()), false, "max");
        return record(out, "MaxBackward1", Derivatives.EVENLY_DISTRIBUTED, new Tensor[] {this}, this, out);
    }

    public Tensor min() {
        Tensor out = reduceOp(ReduceOp.MIN, allDims(dim()), false, "min");
        return record(out, "MinBackward1", Derivatives.EVENLY_DISTRIBUTED, new Tensor[] {this}, this, out);
    }

    /** Values and their (int64) indices along a dim, as {@code torch.max(x, dim)} returns. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    public ValuesIndices max(int dim, boolean keepdim) {
        return argReduce(ReduceOp.MAX, dim, keepdim, "max");
    }

    public ValuesIndices min(int dim, boolean keepdim) {
        return argReduce(ReduceOp.MIN, dim, keepdim, "min");
    }

    private ValuesIndices argReduce(ReduceOp op, int dim, boolean keepdim, String name) {
        int d = Shape.normalizeDim(dim, dim(), name);
        if (numel() == 0) {
            throw new IllegalArgumentException(name + "(): Expected reduction dim " + d + " to have non-zero size.");
        }
        Tensor base = dim() == 0 ? reshape(1) : this;
        int[] kept = base.shape().toArray();
        kept[d] = 1;
        Tensor values = empty(Shape.of(kept), dtype(), device());
        Tensor indices = empty(Shape.of(kept), DType.INT64, device());
        backend().argReduce(op, base.storage, base.layout, d, values.storage, indices.storage);
        if (!keepdim) {
            values = new Tensor(values.storage, values.layout.squeeze(d));
            indices = new Tensor(indices.storage, indices.layout.squeeze(d));
        }
        if (dim() == 0) {
            values = new Tensor(values.storage, Layout.contiguous(Shape.scalar()));
            indices = new Tensor(indices.storage, Layout.contiguous(Shape.scalar()));
        }
        // a 0-d input is its own max: the gradient passes through unchanged
        Backward rule = dim() == 0 ? Derivatives.IDENTITY
                : Derivatives.indexedReduce(shape(), d, keepdim ? indices : indices.unsqueeze(d), keepdim);
        record(values, name.equals("max") ? "MaxBackward0" : "MinBackward0", rule, new Tensor[] {this});
        return new ValuesIndices(values, indices);
    }

    /** Flat index of the maximum ({@code argmax()}). */
    public Tensor argmax() {
        return reshape(-1).argmax(0, false);
    }

    public Tensor argmax(int dim, boolean keepdim) {
        try (var off = GradMode.noGrad()) {
            return max(dim, keepdim).indices();
        }
    }

    public Tensor argmin(int dim, boolean keepdim) {
        try (var off = GradMode.noGrad()) {
            return min(dim, keepdim).indices();
        }
    }

    /**
     * log(sum(exp(x))) along dim, computed stably by subtracting the max first. An infinite max is
     * not subtracted (PyTorch's rule), so all -inf gives -inf and a +inf gives +inf rather than NaN.
     */
    public Tensor logsumexp(int dim, boolean keepdim) {
        Tensor m;
        try (var off = GradMode.noGrad()) {
            m = max(dim, true).values();
            m = m.maskedFill(m.abs().eq(Double.POSITIVE_INFINITY), 0);
        }
        Tensor out = sub(m).exp().sum(dim, true).log().add(m);
        return keepdim ? out : out.squeeze(dim);
    }

    /** Softmax along dim, stable (max subtracted), composed from primitives. */
    public Tensor softmax(int dim) {
        requireFloat("softmax");
        Tensor m;
        try (var off = GradMode.noGrad()) {
            m = max(dim, true).values();
        }
        Tensor e = sub(m).exp();
        return e.div(e.sum(dim, true));
    }

    /**
     * Log-softmax along dim as PyTorch computes it: (x - max) - log(sum(exp(x - max))). Subtracting
     * the max first keeps it exact for large inputs, where x - logsumexp(x) would round at |x|'s scale.
     */
    public Tensor logSoftmax(int dim) {
        requireFloat("log_softmax");
        Tensor m;
        try (var off = GradMode.noGrad()) {
            m = max(dim, true).values();
        }
        Tensor shifted = sub(m);
        return shifted.sub(shifted.exp().sum(dim, true).log());
    }

    // ---------------------------------------------------------------- linear algebra

    /** {@code torch.matmul}: dot, matrix-vector, matrix-matrix or batched with broadcast batch dims. */
    public Tensor matmul(Tensor other) {
        checkDevice(other, "matmul");
        if (dim() == 0 || other.dim() == 0) {
            throw new ShapeException("matmul: both arguments need at least 1 dimension, got " + shape() + " and "
                    + other.shape());
        }
        int inner = other.dim() == 1 ? other.size(0) : other.size(-2);
        if (size(-1) != inner) {
            String what = dim() == 1 && other.dim() == 1 ? "1D tensors expected to have the same size"
                    : "mat1 and mat2 shapes cannot be multiplied";
            throw new ShapeException("matmul: " + what + " (" + shape() + " and " + other.shape() + ": " + size(-1)
                    + " != " + inner + ")");
        }
        if (dim() == 1 && other.dim() == 1) {
            return unsqueeze(0).matmul(other.unsqueeze(1)).reshape();
        }
        if (dim() == 1) {
            return unsqueeze(0).matmul(other).squeeze(-2);
        }
        if (other.dim() == 1) {
            return matmul(other.unsqueeze(1)).squeeze(-1);
        }
        int m = size(-2);
        int k = size(-1);
        int n = other.size(-1);
        if (dim() == 2 && other.dim() == 2) {
            return bmm3(other.unsqueeze(0), "MmBackward0");
        }
        if (other.dim() == 2) {
            // fold all batch dims into the rows: one large GEMM instead of many small ones
            int[] outShape = shape().toArray();
            outShape[outShape.length - 1] = n;
            return reshape(-1, k).bmm3(other.unsqueeze(0), "MmBackward0").reshape(outShape);
        }
        Shape batchA = Shape.of(Arrays.copyOf(shape().toArray(), dim() - 2));
        Shape batchB = Shape.of(Arrays.copyOf(other.shape().toArray(), other.dim() - 2));
        Shape batch = Shape.broadcast(batchA, batchB, "matmul");
        int[] ea = concat(batch.toArray(), m, k);
        int[] eb = concat(batch.toArray(), k, n);
        Tensor a3 = expand(ea).reshape(-1, m, k);
        Tensor b3 = other.expand(eb).reshape(-1, k, n);
        return a3.bmm3(b3, "BmmBackward0").reshape(concat(batch.toArray(), m, n));
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /** Matrix product of two 2-D tensors ({@code torch.mm}). */
    public Tensor mm(Tensor other) {
        if (dim() != 2 || other.dim() != 2) {
            throw new ShapeException("mm: expected 2-D tensors, got " + shape() + " and " + other.shape());
        }
        if (size(1) != other.size(0)) {
            throw new ShapeException("mm: mat1 and mat2 shapes cannot be multiplied (" + shape() + " and "
                    + other.shape() + ": " + size(1) + " != " + other.size(0) + ")");
        }
        return matmul(other);
    }

    /** Batched product of 3-D tensors ({@code torch.bmm}). */
    public Tensor bmm(Tensor other) {
        if (dim() != 3 || other.dim() != 3) {
            throw new ShapeException("bmm: expected 3-D tensors, got " + shape() + " and " + other.shape());
        }
        if (size(0) != other.size(0) || size(2) != other.size(1)) {
            throw new ShapeException("bmm: shapes " + shape() + " and " + other.shape() + " cannot be multiplied");
        }
        return bmm3(other, "BmmBackward0");
    }

    /** The matmul primitive: [B|1, M, K] @ [B|1, K, N] (a batch of 1 broadcasts); [M, K] is taken as one batch. */
    private Tensor bmm3(Tensor other, String name) {
        Tensor a = dim() == 2 ? unsqueeze(0) : this;
        int batch = Math.max(a.size(0), other.size(0));
        Layout al = a.layout.expand(Shape.of(batch, a.size(1), a.size(2)));
        Layout bl = other.layout.expand(Shape.of(batch, other.size(1), other.size(2)));
        Tensor out = empty(Shape.of(batch, a.size(1), other.size(2)), DType.FLOAT32, device());
        backend().matmul(a.storage, al, other.storage, bl, out.storage, out.layout);
        if (dim() == 2) {
            out = new Tensor(out.storage, out.layout.squeeze(0));
        }
        return record(out, name, Derivatives.MATMUL, new Tensor[] {this, other}, this, other);
    }

    // ---------------------------------------------------------------- joining and indexing

    /** Concatenates along {@code dim} ({@code torch.cat}). */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        }
        Tensor first = tensors.get(0);
        int d = Shape.normalizeDim(dim, first.dim(), "cat");
        int[] outShape = first.shape().toArray();
        int total = 0;
        DType dtype = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            first.checkDevice(t, "cat");
            if (t.dim() != first.dim()) {
                throw new ShapeException("cat: tensors must have the same number of dimensions: got " + first.dim()
                        + " and " + t.dim() + " (tensor " + i + "; shapes " + first.shape() + " and " + t.shape() + ")");
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.size(k) != first.size(k)) {
                    throw new ShapeException("cat: sizes of tensors must match except in dimension " + d + ". Expected size "
                            + first.size(k) + " but got size " + t.size(k) + " for tensor number " + i + " in the list"
                            + " (shapes " + first.shape() + " and " + t.shape() + ").");
                }
            }
            total += t.size(d);
            dtype = DType.promote(dtype, t.dtype());
        }
        outShape[d] = total;
        Tensor out = empty(Shape.of(outShape), dtype, first.device());
        int[] sizes = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            sizes[i] = t.size(d);
            out.backend().copy(t.storage, t.layout, out.storage, out.layout.narrow(d, at, sizes[i]));
            at += sizes[i];
        }
        return record(out, "CatBackward0", Derivatives.cat(d, sizes), tensors.toArray(new Tensor[0]));
    }

    /** Stacks equal-shaped tensors along a new dim ({@code torch.stack}). */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        }
        int d = Shape.normalizeDim(dim, tensors.get(0).dim() + 1, "stack");
        for (int i = 1; i < tensors.size(); i++) {
            if (!tensors.get(i).shape().equals(tensors.get(0).shape())) {
                throw new ShapeException("stack: expects each tensor to be equal size, but got " + tensors.get(0).shape()
                        + " at entry 0 and " + tensors.get(i).shape() + " at entry " + i);
            }
        }
        return cat(tensors.stream().map(t -> t.unsqueeze(d)).toList(), d);
    }

    private void checkIndex(Tensor index, String op) {
        checkDevice(index, op);
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + "(): Expected dtype int64 for index, got " + index.dtype().torchName());
        }
    }

    /** {@code torch.gather(x, dim, index)}: out[i][j] = x[i][index[i][j]] for dim 1. */
    public Tensor gather(int dim, Tensor index) {
        int d = Shape.normalizeDim(dim, dim(), "gather");
        checkIndex(index, "gather");
        if (index.dim() != dim()) {
            throw new ShapeException("gather: index tensor must have the same number of dimensions as input tensor ("
                    + index.shape() + " vs " + shape() + ")");
        }
        for (int k = 0; k < dim(); k++) {
            if (k != d && index.size(k) > size(k)) {
                throw new ShapeException("gather: size does not match at dimension " + k + " expected index "
                        + index.shape() + " to be smaller than self " + shape() + " apart from dimension " + d);
            }
        }
        Tensor out = empty(index.shape(), dtype(), device());
        backend().gather(storage, layout, d, index.storage, index.layout, out.storage, out.layout);
        return record(out, "GatherBackward0", Derivatives.gather(shape(), d, index), new Tensor[] {this});
    }

    /** {@code scatter_add} out of place: a copy of this with src added at index along dim. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        int d = Shape.normalizeDim(dim, dim(), "scatter_add");
        checkIndex(index, "scatter_add");
        if (!index.shape().equals(src.shape())) {
            throw new ShapeException("scatter_add: index " + index.shape() + " and src " + src.shape()
                    + " must have the same shape");
        }
        Tensor out = contiguousCopy();
        backend().scatterAdd(out.storage, out.layout, d, index.storage, index.layout, src.storage, src.layout);
        return record(out, "ScatterAddBackward0", Derivatives.scatterAdd(d, index), new Tensor[] {this, src});
    }

    /** {@code index_select(dim, index)} for a 1-D int64 index, as a gather with a broadcast index. */
    public Tensor indexSelect(int dim, Tensor index) {
        int d = Shape.normalizeDim(dim, dim(), "index_select");
        checkIndex(index, "index_select");
        if (index.dim() != 1) {
            throw new ShapeException("index_select(): Index is supposed to be a vector, got shape " + index.shape());
        }
        int[] viewShape = new int[dim()];
        Arrays.fill(viewShape, 1);
        viewShape[d] = index.numel();
        int[] outShape = shape().toArray();
        outShape[d] = index.numel();
        return gather(d, index.reshape(viewShape).expand(outShape));
    }

    /** One-hot rows for int64 class labels ({@code F.one_hot}), float32 here for direct use in losses. */
    public Tensor oneHot(int numClasses) {
        checkIndex(this, "one_hot");
        Tensor zeros = empty(concatShape(shape(), numClasses), DType.FLOAT32, device());
        Tensor ones = fullLike(unsqueeze(-1).to(DType.FLOAT32), 1);
        return zeros.scatterAdd(-1, unsqueeze(-1), ones);
    }

    private static Shape concatShape(Shape s, int last) {
        return Shape.of(concat(s.toArray(), last));
    }

    // ---------------------------------------------------------------- windows (convolution, pooling)

    /**
     * Unfolds NCHW windows into columns [N, C*kH*kW, L] ({@code F.unfold}); pads with {@code padValue}.
     * The result is a view of storage laid out [C*kH*kW, N, L]: {@code permute(1, 0, 2)} of it is
     * contiguous, so a convolution multiplies the whole batch in one GEMM.
     */
    public Tensor unfold2d(ConvGeometry g, float padValue) {
        if (dim() != 4 || size(1) != g.channels() || size(2) != g.inH() || size(3) != g.inW()) {
            throw new ShapeException("unfold: expected input [N, " + g.channels() + ", " + g.inH() + ", " + g.inW()
                    + "], got " + shape());
        }
        Tensor rows = empty(Shape.of(g.colRows(), size(0), g.colCols()), DType.FLOAT32, device());
        Tensor cols = new Tensor(rows.storage, rows.layout.permute(1, 0, 2));
        backend().im2col(storage, layout, g, padValue, cols.storage, cols.layout);
        return record(cols, "Im2ColBackward0", Derivatives.unfold2d(g), new Tensor[] {this});
    }

    /**
     * The 2-D convolution primitive ({@code F.conv2d} without groups): this [N, C, H, W], weight [O, C,
     * kH, kW], bias [O] or null → [N, O, outH, outW]. Its gradients are {@link #conv2dInputGrad} and
     * {@link #conv2dWeightGrad}, each differentiable in turn.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, ConvGeometry g) {
        checkDevice(weight, "conv2d");
        if (bias != null) {
            checkDevice(bias, "conv2d");
        }
        checkConvInput(this, g, "conv2d");
        int outChannels = weight.size(0);
        if (weight.dim() != 4 || weight.size(1) != g.channels() || weight.size(2) != g.kH() || weight.size(3) != g.kW()
                || bias != null && (bias.dim() != 1 || bias.size(0) != outChannels)) {
            throw new ShapeException("conv2d: weight " + weight.shape() + (bias == null ? "" : " and bias " + bias.shape())
                    + " do not match [O, " + g.channels() + ", " + g.kH() + ", " + g.kW() + "] and [O]");
        }
        Tensor out = empty(Shape.of(size(0), outChannels, g.outH(), g.outW()), DType.FLOAT32, device());
        backend().conv2d(storage, layout, weight.dense().storage, bias == null ? null : bias.dense().storage, g,
                outChannels, out.storage);
        return record(out, "ConvolutionBackward0", Derivatives.conv2d(g), new Tensor[] {this, weight, bias}, this, weight);
    }

    /**
     * The gradient of {@link #conv2d}'s input (a transposed convolution): gOut [N, O, outH, outW] and
     * weight [O, C, kH, kW] → [N, C, H, W].
     */
    public static Tensor conv2dInputGrad(Tensor gOut, Tensor weight, ConvGeometry g) {
        gOut.checkDevice(weight, "conv2d backward");
        checkConvGradient(gOut, weight.size(0), g);
        Tensor gx = empty(Shape.of(gOut.size(0), g.channels(), g.inH(), g.inW()), DType.FLOAT32, gOut.device());
        gOut.backend().conv2dBackwardInput(gOut.dense().storage, weight.dense().storage, g, weight.size(0),
                gOut.size(0), gx.storage);
        return record(gx, "ConvolutionBackwardInput", Derivatives.conv2dInputGrad(g), new Tensor[] {gOut, weight},
                gOut, weight);
    }

    /** The gradient of {@link #conv2d}'s weight: gOut [N, O, outH, outW] and x [N, C, H, W] → [O, C, kH, kW]. */
    public static Tensor conv2dWeightGrad(Tensor gOut, Tensor x, ConvGeometry g) {
        gOut.checkDevice(x, "conv2d backward");
        checkConvInput(x, g, "conv2d backward");
        int outChannels = gOut.size(1);
        checkConvGradient(gOut, outChannels, g);
        Tensor gw = empty(Shape.of(outChannels, g.channels(), g.kH(), g.kW()), DType.FLOAT32, gOut.device());
        gOut.backend().conv2dBackwardWeight(gOut.dense().storage, x.storage, x.layout, g, outChannels, gw.storage);
        return record(gw, "ConvolutionBackwardWeight", Derivatives.conv2dWeightGrad(g), new Tensor[] {gOut, x}, gOut, x);
    }

    private static void checkConvInput(Tensor x, ConvGeometry g, String op) {
        if (x.dim() != 4 || x.size(1) != g.channels() || x.size(2) != g.inH() || x.size(3) != g.inW()) {
            throw new ShapeException(op + ": expected input [N, " + g.channels() + ", " + g.inH() + ", " + g.inW()
                    + "], got " + x.shape());
        }
        if (x.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": expected a float32 input, got " + x.dtype().torchName());
        }
    }

    private static void checkConvGradient(Tensor gOut, int outChannels, ConvGeometry g) {
        if (gOut.dim() != 4 || gOut.size(1) != outChannels || gOut.size(2) != g.outH() || gOut.size(3) != g.outW()
                || gOut.dtype() != DType.FLOAT32) {
            throw new ShapeException("conv2d backward: expected a float32 gradient [N, " + outChannels + ", " + g.outH()
                    + ", " + g.outW() + "], got " + gOut.dtype().torchName() + " " + gOut.shape());
        }
    }

    /** This tensor's values laid out densely from its storage's start, as kernels that take no layout need. */
    private Tensor dense() {
        return isContiguous() && layout.offset() == 0 ? this : contiguousCopy();
    }

    /**
     * Max pooling with PyTorch's indices ({@code F.max_pool2d_with_indices}): this [N, C, H, W] →
     * values and int64 indices [N, C, outH, outW], an index being the winner's h*W + w in its plane.
     */
    public ValuesIndices maxPool2d(ConvGeometry g) {
        if (dim() != 4 || size(1) != g.channels() || size(2) != g.inH() || size(3) != g.inW()) {
            throw new ShapeException("max_pool2d: expected input [N, " + g.channels() + ", " + g.inH() + ", " + g.inW()
                    + "], got " + shape());
        }
        if (dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("max_pool2d: expected a float32 input, got " + dtype().torchName());
        }
        Shape out = Shape.of(size(0), size(1), g.outH(), g.outW());
        Tensor values = empty(out, DType.FLOAT32, device());
        Tensor indices = empty(out, DType.INT64, device());
        backend().maxPool2d(storage, layout, g, values.storage, indices.storage);
        record(values, "MaxPool2DWithIndicesBackward0", Derivatives.maxPool2d(g, indices), new Tensor[] {this});
        return new ValuesIndices(values, indices);
    }

    /**
     * Max pooling's gradient ({@code max_pool2d_with_indices_backward}): gOut [N, C, outH, outW] and the
     * indices {@link #maxPool2d} returned → [N, C, H, W], each gradient added at its window's winner.
     */
    public static Tensor maxPool2dBackward(Tensor gOut, Tensor indices, ConvGeometry g) {
        gOut.checkDevice(indices, "max_pool2d backward");
        if (!gOut.shape().equals(indices.shape()) || gOut.dim() != 4 || gOut.size(2) != g.outH() || gOut.size(3) != g.outW()) {
            throw new ShapeException("max_pool2d backward: gradient " + gOut.shape() + " and indices " + indices.shape()
                    + " should both be [N, C, " + g.outH() + ", " + g.outW() + "]");
        }
        int planes = gOut.size(0) * gOut.size(1);
        Tensor gx = empty(Shape.of(gOut.size(0), gOut.size(1), g.inH(), g.inW()), DType.FLOAT32, gOut.device());
        gOut.backend().maxPool2dBackward(gOut.dense().storage, indices.dense().storage, g, planes, gx.storage);
        return record(gx, "MaxPool2DWithIndicesBackwardBackward0", Derivatives.maxPool2dBackward(g, indices),
                new Tensor[] {gOut}, indices);
    }

    /**
     * Batch statistics of this [N, C, *] for batch normalisation: {@code {mean, var}}, each [C], over
     * every dim but the channels (the variance biased, as normalising uses it). Not recorded:
     * {@link #batchNorm} differentiates through the statistics itself.
     */
    public Tensor[] batchNormStats() {
        checkBatchNormInput(this, "batch_norm");
        int c = size(1);
        Tensor mean = empty(Shape.of(c), DType.FLOAT32, device());
        Tensor var = empty(Shape.of(c), DType.FLOAT32, device());
        backend().batchNormStats(dense().storage, size(0), c, perChannelRun(), mean.storage, var.storage);
        return new Tensor[] {mean, var};
    }

    /**
     * Batch normalisation of this [N, C, *] by per-channel statistics ({@code native_batch_norm}):
     * {@code (x - mean[c]) * invstd[c] * weight[c] + bias[c]}, mean and invstd [C], weight and bias [C] or
     * null. With {@code batchStats} the statistics are this batch's own ({@link #batchNormStats},
     * training), and the gradient includes their dependence on the input; without, they are constants
     * (evaluation with running statistics). mean and invstd take no gradient.
     */
    public Tensor batchNorm(Tensor mean, Tensor invstd, Tensor weight, Tensor bias, boolean batchStats) {
        checkBatchNormInput(this, "batch_norm");
        int c = size(1);
        for (Tensor v : new Tensor[] {mean, invstd, weight, bias}) {
            if (v == null) {
                continue;
            }
            checkDevice(v, "batch_norm");
            if (v.dim() != 1 || v.size(0) != c || v.dtype() != DType.FLOAT32) {
                throw new ShapeException("batch_norm: expected float32 statistics, weight and bias of shape [" + c
                        + "] for input " + shape() + ", got " + v.dtype().torchName() + " " + v.shape());
            }
        }
        if (mean.requiresGrad() || invstd.requiresGrad()) {
            throw new IllegalArgumentException("batch_norm: mean and invstd take no gradient; pass them detached");
        }
        Tensor x = dense();
        Tensor out = empty(shape(), DType.FLOAT32, device());
        backend().batchNorm(x.storage, size(0), c, perChannelRun(), mean.dense().storage,
                invstd.dense().storage, weight == null ? null : weight.dense().storage,
                bias == null ? null : bias.dense().storage, out.storage);
        Tensor[] saved = weight == null ? new Tensor[] {x, mean, invstd} : new Tensor[] {x, mean, invstd, weight};
        return record(out, "NativeBatchNormBackward0", Derivatives.batchNorm(batchStats), new Tensor[] {this, weight, bias},
                saved);
    }

    /**
     * Batch norm's gradients ({@code native_batch_norm_backward}) from g, the gradient of
     * {@link #batchNorm}'s output: {@code {gx, gWeight, gBias}}, each null unless wanted. Not recorded:
     * a second derivative of batch norm is not supported.
     */
    public static Tensor[] batchNormBackward(Tensor g, Tensor x, Tensor mean, Tensor invstd, Tensor weight,
                                             boolean batchStats, boolean wantX, boolean wantWeight, boolean wantBias) {
        g.checkDevice(x, "batch_norm backward");
        if (!g.shape().equals(x.shape())) {
            throw new ShapeException("batch_norm backward: gradient " + g.shape() + " does not match the input " + x.shape());
        }
        int c = x.size(1);
        Tensor gx = wantX ? empty(x.shape(), DType.FLOAT32, x.device()) : null;
        Tensor gWeight = wantWeight ? empty(Shape.of(c), DType.FLOAT32, x.device()) : null;
        Tensor gBias = wantBias ? empty(Shape.of(c), DType.FLOAT32, x.device()) : null;
        x.backend().batchNormBackward(g.dense().storage, x.dense().storage, x.size(0), c, x.perChannelRun(),
                mean.dense().storage, invstd.dense().storage, weight == null ? null : weight.dense().storage, batchStats,
                gx == null ? null : gx.storage, gWeight == null ? null : gWeight.storage,
                gBias == null ? null : gBias.storage);
        return new Tensor[] {gx, gWeight, gBias};
    }

    /** The length of one image's run of a channel in [N, C, *]: the product of the dims after C. */
    private int perChannelRun() {
        int s = 1;
        for (int d = 2; d < dim(); d++) {
            s *= size(d);
        }
        return s;
    }

    private static void checkBatchNormInput(Tensor x, String op) {
        if (x.dim() < 2 || x.dtype() != DType.FLOAT32) {
            throw new ShapeException(op + ": expected a float32 input [N, C, ...], got " + x.dtype().torchName() + " "
                    + x.shape());
        }
    }

    /** Sums columns [N, C*kH*kW, L] back into NCHW images ({@code F.fold}), the adjoint of {@link #unfold2d}. */
    public Tensor fold2d(ConvGeometry g) {
        if (dim() != 3 || size(1) != g.colRows() || size(2) != g.colCols()) {
            throw new ShapeException("fold: expected columns [N, " + g.colRows() + ", " + g.colCols() + "], got " + shape());
        }
        // col2im reads any batch and row strides but needs unit-stride runs of L
        Tensor c = g.colCols() <= 1 || layout.stride(2) == 1 ? this : contiguousCopy();
        Tensor x = zeros(Shape.of(size(0), g.channels(), g.inH(), g.inW()), device());
        backend().col2im(c.storage, c.layout, g, x.storage);
        return record(x, "Col2ImBackward0", Derivatives.fold2d(g), new Tensor[] {this});
    }

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        return TensorFormatter.format(this);
    }
}
