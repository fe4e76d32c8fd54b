package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Layout;
import dev.ember.core.Shape;
import dev.ember.core.ShapeException;
import dev.ember.core.Storage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Shape and device mistakes fail with a message that names the op and both shapes. */
class ErrorMessagesTest {

    private static String message(Class<? extends Throwable> type, Executable e) {
        return assertThrows(type, e).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void broadcastMismatch() {
        String m = message(ShapeException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertMentions(m, "add", "[2, 3]", "[4]", "dimension 1: 3 vs 4");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).mul(Tensor.zeros(3, 2))), "mul", "[2, 3]",
                "[3, 2]");
        assertMentions(message(ShapeException.class, () -> Tensor.where(Tensor.zeros(2).ne(0), Tensor.zeros(3),
                Tensor.zeros(3))), "where", "[2]", "[3]");
    }

    @Test
    void matmulMismatch() {
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5))),
                "matmul", "mat1 and mat2 shapes cannot be multiplied", "[2, 3]", "[4, 5]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4))),
                "matmul", "[3]", "[4]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4))),
                "matmul", "[2, 3]", "[4]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(5, 2, 3).matmul(Tensor.zeros(5, 4, 2))),
                "matmul", "[5, 2, 3]", "[5, 4, 2]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 2))),
                "matmul", "[2]", "[3]");
        assertMentions(message(ShapeException.class, () -> Tensor.scalar(1).matmul(Tensor.zeros(3))),
                "matmul", "at least 1 dimension");
    }

    @Test
    void mmAndBmmMismatch() {
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).mm(Tensor.zeros(4, 5))),
                "mm", "[2, 3]", "[4, 5]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).mm(Tensor.zeros(3))),
                "mm", "2-D", "[2, 3]", "[3]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(2, 4, 5))),
                "bmm", "[2, 2, 3]", "[2, 4, 5]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(3, 3, 5))),
                "bmm", "[2, 2, 3]", "[3, 3, 5]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).bmm(Tensor.zeros(3, 3))),
                "bmm", "3-D", "[2, 3]", "[3, 3]");
    }

    @Test
    void catAndStackMismatch() {
        assertMentions(message(ShapeException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), 0)),
                "cat", "Expected size 3 but got size 4 for tensor number 1", "[2, 3]", "[2, 4]");
        assertMentions(message(ShapeException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3)), 0)),
                "cat", "same number of dimensions", "[2, 3]", "[3]");
        assertMentions(message(ShapeException.class, () -> Tensor.stack(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 2)),
                0)), "stack", "[2, 3]", "[3, 2]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(List.of(), 0)), "cat", "non-empty");
        assertMentions(message(ShapeException.class, () -> Tensor.cat(List.of(Tensor.zeros(2)), 1)), "cat",
                "dimension out of range");
    }

    @Test
    void viewAndExpandMismatch() {
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).t().view(6)), "view size is not compatible",
                "[3, 2]", "[6]", "reshape");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).view(4, 2)), "view", "[4, 2]",
                "invalid for input of size 6");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).expand(2, 4)), "expand",
                "expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1",
                "[2, 4]", "[2, 3]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).expand(3)), "expand", "(1)", "(2)");
    }

    @Test
    void gatherMismatch() {
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).gather(1, Tensor.ofLongs(0, 1))),
                "gather", "[2]", "[2, 3]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).gather(1, Tensor.zerosLike(Tensor.arange(12))
                .view(4, 3))), "gather", "[4, 3]", "[2, 3]");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).scatterAdd(0, Tensor.ofLongs(0, 1),
                Tensor.zeros(3))), "scatter_add", "[2]", "[3]");
    }

    @Test
    void indexingErrors() {
        assertMentions(message(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).select(1, 3)), "select",
                "index 3", "[2, 3]");
        assertMentions(message(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).narrow(1, 2, 2)), "narrow",
                "exceeds dimension size (3)");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).transpose(0, 2)), "transpose",
                "dimension out of range");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3).permute(0, 0)), "permute", "repeated dim");
        assertMentions(message(ShapeException.class, () -> Tensor.zeros(2, 3, 4).t()), "t()", "3D");
    }

    /** A storage that claims to live on a CUDA device, to provoke device checks without a GPU. */
    private static final class FakeCudaStorage extends Storage {
        FakeCudaStorage(int size) {
            super(DType.FLOAT32, size);
        }

        @Override
        public Device device() {
            return Device.cuda(0);
        }
    }

    @Test
    void deviceMismatch() {
        Tensor gpu = new Tensor(new FakeCudaStorage(3), Layout.contiguous(Shape.of(3)));
        Tensor cpu = Tensor.zeros(3);
        assertMentions(message(IllegalArgumentException.class, () -> cpu.add(gpu)), "add",
                "expected all tensors to be on the same device", "cpu", "cuda:0");
        assertMentions(message(IllegalArgumentException.class, () -> cpu.view(1, 3).matmul(gpu)), "matmul", "cpu",
                "cuda:0");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(List.of(cpu, gpu), 0)), "cat", "cpu",
                "cuda:0");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.where(cpu.ne(0), cpu, gpu)), "where");
    }

    @Test
    void badDeviceNames() {
        assertMentions(message(IllegalArgumentException.class, () -> Device.parse("tpu")), "tpu", "cpu, cuda or cuda:N");
        assertTrue(Device.parse("cuda:1").equals(Device.cuda(1)));
        assertTrue(Device.parse(" CPU ").equals(Device.cpu()));
    }
}
