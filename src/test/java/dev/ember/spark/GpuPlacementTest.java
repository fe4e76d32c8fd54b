package dev.ember.spark;

import dev.ember.core.Device;
import dev.ember.job.JobConfig;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device choice of Spark tasks and the GPU scheduling keys, without Spark running. */
class GpuPlacementTest {
    private final List<Device> opened = new ArrayList<>();
    private final List<String> log = new ArrayList<>();

    private GpuPlacement.Opener works() {
        return opened::add;
    }

    private static GpuPlacement.Opener fails() {
        return d -> {
            throw new IllegalStateException("cannot open " + d + ": CUDA_ERROR_NO_DEVICE");
        };
    }

    @Test
    void cpuJobsNeverOpenAGpu() {
        var c = GpuPlacement.choose("cpu", false, new String[] {"1"}, "h", works(), log::add);
        assertEquals(Device.cpu(), c.device());
        assertTrue(opened.isEmpty());
    }

    @Test
    void theAssignedAddressIsTheDevice() {
        var c = GpuPlacement.choose("cuda", false, new String[] {"3", "4"}, "h", works(), log::add);
        assertEquals(Device.cuda(3), c.device());
        assertEquals(List.of(Device.cuda(3)), opened);
        assertEquals("3", c.address());
        assertTrue(c.line().contains("GPU address 3 assigned by Spark"), c.line());
        assertTrue(log.isEmpty());
    }

    @Test
    void withoutAnAssignmentTheJobsOrdinalIsUsed() {
        assertEquals(Device.cuda(0), GpuPlacement.choose("cuda", false, new String[0], "h", works(), log::add).device());
        assertEquals(Device.cuda(2), GpuPlacement.choose("cuda:2", false, null, "h", works(), log::add).device());
    }

    @Test
    void fallbackRunsOnTheCpuAndLogsOneLine() {
        var c = GpuPlacement.choose("cuda", true, new String[] {"1"}, "worker7", fails(), log::add);
        assertEquals(Device.cpu(), c.device());
        assertTrue(c.fellBack());
        assertEquals("1", c.address());
        assertEquals(1, log.size());
        String line = log.get(0);
        assertTrue(line.contains("worker7") && line.contains("cuda:1") && line.contains("CUDA_ERROR_NO_DEVICE")
                && line.contains("running on the CPU"), line);
        assertTrue(c.line().startsWith("cpu (fallback: GPU address 1 assigned by Spark"), c.line());
    }

    @Test
    void withoutFallbackTheTaskFailsNamingHostAddressAndCause() {
        var e = assertThrows(IllegalStateException.class,
                () -> GpuPlacement.choose("cuda", false, new String[] {"1"}, "worker7", fails(), log::add));
        String m = e.getMessage();
        assertTrue(m.startsWith("executor worker7: " + GpuPlacement.FAILURE + " cuda:1 (GPU address 1 assigned by Spark)"),
                m);
        assertTrue(m.contains("CUDA_ERROR_NO_DEVICE") && m.contains("gpu_fallback = true"), m);
        assertTrue(log.isEmpty());
        // what the driver makes of Spark's stage-failure text around it
        var spark = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times, most "
                + "recent failure: Lost task 0.3 in stage 1.0 (TID 7) (127.0.0.1 executor 1): "
                + "java.lang.IllegalStateException: " + m + "\n\tat dev.ember.spark.GpuPlacement.choose(...)");
        var clear = SparkTraining.gpuFailure(new RuntimeException("wrapper", spark)).orElseThrow();
        assertEquals(m, clear.getMessage());
        assertFalse(SparkTraining.gpuFailure(new RuntimeException("other")).isPresent());
    }

    @Test
    void anAddressThatIsNotAnOrdinalIsAClearError() {
        var e = assertThrows(IllegalStateException.class,
                () -> GpuPlacement.choose("cuda", false, new String[] {"GPU-abc"}, "h", works(), log::add));
        assertTrue(e.getMessage().contains("'GPU-abc' is not a device ordinal"), e.getMessage());
        var c = GpuPlacement.choose("cuda", true, new String[] {"GPU-abc"}, "h", works(), log::add);
        assertEquals(Device.cpu(), c.device());
    }

    static JobConfig job(String... lines) {
        List<String> all = new ArrayList<>(List.of("name = t", "model = mlp", "train = x"));
        all.addAll(List.of(lines));
        return JobConfig.parse("t.job", all, Map.of());
    }

    @Test
    void cudaJobsAskSparkForGpusUnlessTheUserDid() {
        SparkConf conf = new SparkConf(false);
        SparkSessions.gpuScheduling(job("device = cuda"), "spark://h:7077", conf);
        assertEquals("1", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertTrue(conf.get("spark.executor.resource.gpu.discoveryScript").endsWith("conf/gpu-discovery.sh"));
        assertFalse(conf.contains("spark.worker.resource.gpu.amount"));

        SparkConf mine = new SparkConf(false).set("spark.task.resource.gpu.amount", "0.25");
        SparkSessions.gpuScheduling(job("device = cuda", "gpus_per_task = 0.5"), "local-cluster[2,1,1024]", mine);
        assertEquals("0.25", mine.get("spark.task.resource.gpu.amount"));
        assertEquals("1", mine.get("spark.worker.resource.gpu.amount"));
        assertTrue(mine.contains("spark.worker.resource.gpu.discoveryScript"));

        SparkConf half = new SparkConf(false);
        SparkSessions.gpuScheduling(job("device = cuda", "gpus_per_task = 0.5"), "spark://h:7077", half);
        assertEquals("0.5", half.get("spark.task.resource.gpu.amount"));

        for (String master : List.of("local[*]", "local[2]")) {
            SparkConf local = new SparkConf(false);
            SparkSessions.gpuScheduling(job("device = cuda"), master, local);
            assertEquals(0, local.getAll().length, master);
        }
        SparkConf cpu = new SparkConf(false);
        SparkSessions.gpuScheduling(job(), "spark://h:7077", cpu);
        assertEquals(0, cpu.getAll().length);
        assertThrows(RuntimeException.class,
                () -> SparkSessions.gpuScheduling(job("device = cuda", "gpus_per_task = 1.5"), "spark://h:7077",
                        new SparkConf(false)));
    }
}
