package dev.ember.spark;

import dev.ember.train.Evaluation;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The exchange without Spark: tasks in threads link to a {@link GradientServer} over TCP (the
 * {@link Wire} protocol) or in memory, and every step the driver must see their exact vectors and
 * every task the driver's exact weights, over more steps than the server has frame buffers.
 */
class GradientServerTest {
    private static final int N = 1000;
    private static final int STEPS = 5;

    /** Task p's vector at step s: values that survive float32 exactly, different for every task and step. */
    private static float[] vector(int p, int step, float[] weights) {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = weights[i] + (p + 1) * 0.25f + step + i % 7;
        }
        return v;
    }

    /** {@code v} in pieces at offsets inside larger arrays, as the driver's tensors are ({@link Flat#current}). */
    private static Flat.Segments pieces(float[] v) {
        int[] cuts = {0, 0, 300, 301, N};
        float[][] arrays = new float[cuts.length - 1][];
        int[] offsets = new int[arrays.length];
        int[] lengths = new int[arrays.length];
        for (int j = 0; j < arrays.length; j++) {
            lengths[j] = cuts[j + 1] - cuts[j];
            offsets[j] = 3 + j;
            arrays[j] = new float[offsets[j] + lengths[j] + 5];
            System.arraycopy(v, cuts[j], arrays[j], offsets[j], lengths[j]);
        }
        return new Flat.Segments(arrays, offsets, lengths);
    }

    private static float[] initial() {
        float[] w = new float[N];
        for (int i = 0; i < N; i++) {
            w[i] = i * 0.5f;
        }
        return w;
    }

    /** One task: each step sends {@link #vector} of the weights it got; then its scores; returns the weights it saw. */
    private static List<float[]> task(int port, String runId, int p, boolean inMemory) throws Exception {
        List<float[]> seen = new ArrayList<>();
        try (TaskLink link = TaskLink.open("127.0.0.1", port, runId, p, 0, inMemory, () -> false)) {
            for (TaskLink.State s = link.receive(); s.step() != TaskLink.FINISH; s = link.receive()) {
                seen.add(s.weights().toArray());
                if (s.step() == TaskLink.EVALUATE) {
                    long[][] confusion = {{p, 1}, {2, 3 + p}};
                    link.sendScores(s.epoch(), new Evaluation(1.5 * (p + 1), 4 + p, 6 + p, confusion));
                } else {
                    link.send(s.epoch(), s.step(), p + 1, 0.5 * (p + 1), vector(p, s.step(), s.weights().toArray()));
                }
            }
        }
        return seen;
    }

    /** Two tasks, the first in memory when {@code firstInMemory}; a stranger first when {@code stranger}. */
    private static void runs(boolean firstInMemory, boolean stranger) throws Exception {
        String runId = "wire-test-" + firstInMemory;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (GradientServer server = new GradientServer("127.0.0.1", runId, 2)) {
            if (stranger) {  // not an Ember task: the server drops the link and goes on
                try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
                    ch.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                }
            }
            Future<List<float[]>> t0 = pool.submit(() -> task(server.port(), runId, 0, firstInMemory));
            Future<List<float[]>> t1 = pool.submit(() -> task(server.port(), runId, 1, false));
            List<float[]> sent = new ArrayList<>();
            float[] start = initial();
            sent.add(start.clone());
            GradientServer.EpochResult r = server.runEpoch(0, STEPS, pieces(start), (step, mean, count, lossSum) -> {
                float[] w = sent.get(step);
                float[] v0 = vector(0, step, w);
                float[] v1 = vector(1, step, w);
                float[] expected = new float[N];
                for (int i = 0; i < N; i++) {
                    expected[i] = (v0[i] * 1 + v1[i] * 2) * (1f / 3);
                }
                assertArrayEquals(expected, mean, "step " + step);
                assertEquals(3, count);
                assertEquals(1.5, lossSum);
                float[] next = new float[N];
                for (int i = 0; i < N; i++) {
                    next[i] = w[i] - 0.125f * mean[i];
                }
                sent.add(next.clone());
                return pieces(next);
            }, () -> false, (step, loss, images) -> { });
            assertEquals(STEPS, r.steps());
            assertEquals(3L * STEPS, r.images());
            Evaluation e = server.evaluate(0, Flat.Segments.of(sent.get(STEPS)), 2, () -> false);
            assertEquals(4.5, e.lossSum());
            assertEquals(9, e.correct());
            assertEquals(13, e.count());
            assertArrayEquals(new long[] {1, 2}, e.confusion()[0]);
            assertArrayEquals(new long[] {4, 7}, e.confusion()[1]);
            server.finish();
            for (Future<List<float[]>> t : List.of(t0, t1)) {
                List<float[]> seen = t.get();
                assertEquals(STEPS + 1, seen.size());  // every step's weights, then the evaluation's
                for (int s = 0; s < seen.size(); s++) {
                    assertArrayEquals(sent.get(Math.min(s, STEPS)), seen.get(s), "weights of step " + s);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tcpTasksSendAndReceiveExactVectorsAfterAStranger() throws Exception {
        runs(false, true);
    }

    @Test
    void tcpAndInMemoryTasksMix() throws Exception {
        runs(true, false);
    }
}
