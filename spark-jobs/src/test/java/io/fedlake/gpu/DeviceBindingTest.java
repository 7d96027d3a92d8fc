package io.fedlake.gpu;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceBindingTest {

    private static final String[] NONE = new String[0];

    @Test
    void noGpuResourceRunsOnTheDefaultDeviceUnchanged() {
        DeviceBinding.Binding b = DeviceBinding.decide(7, 3, NONE, 0, "CPU", 0, false);
        assertEquals(List.of(), b.gpuAddresses());
        assertEquals(-1, b.nd4jDevice());
        assertFalse(b.onGpu());
        assertEquals("task 7 (partition 3): no GPU resource, ND4J CPU default device", b.describe());
        // a CUDA jar on an executor without GPU scheduling: ND4J keeps its own default device, nothing is pinned
        assertEquals(-1, DeviceBinding.decide(7, 3, NONE, 0, "CUDA", 2, false).nd4jDevice());
    }

    @Test
    void cudaBackendSelectsTheAssignedAddress() {
        DeviceBinding.Binding b = DeviceBinding.decide(9, 1, new String[]{"1"}, 1, "CUDA", 2, false);
        assertEquals(1, b.nd4jDevice());
        assertTrue(b.onGpu());
        assertEquals("task 9 (partition 1): GPU 1 -> ND4J device 1 (CUDA)", b.describe());
    }

    @Test
    void gpuResourceWithTheCpuBackendFailsInOneLine() {
        GpuConfigurationException e = assertThrows(GpuConfigurationException.class,
                () -> DeviceBinding.decide(4, 0, new String[]{"0"}, 1, "CPU", 0, false));
        assertEquals("task 4 was given GPU 0 but ND4J runs its CPU backend (nd4j-native): submit the GPU jar (mvn -Pgpu package) "
                + "or use a CPU profile", e.getMessage());
    }

    @Test
    void simulationRecordsTheSelectionAndStaysOnCpu() {
        DeviceBinding.Binding b = DeviceBinding.decide(4, 0, new String[]{"3"}, 0.5, "CPU", 0, true);
        assertEquals(3, b.nd4jDevice());
        assertTrue(b.simulated());
        assertFalse(b.onGpu());
        assertTrue(b.describe().endsWith("GPU 3 -> ND4J device 3 (CPU, simulated: ND4J stays on CPU)"), b.describe());
    }

    @Test
    void anAddressNd4jCannotSeeFails() {
        GpuConfigurationException e = assertThrows(GpuConfigurationException.class,
                () -> DeviceBinding.decide(5, 0, new String[]{"2"}, 1, "CUDA", 2, false));
        assertTrue(e.getMessage().startsWith("task 5 was given GPU 2 but ND4J sees 2 CUDA device(s) (0..1)"), e.getMessage());
        GpuConfigurationException uuid = assertThrows(GpuConfigurationException.class,
                () -> DeviceBinding.decide(5, 0, new String[]{"GPU-7f3a"}, 1, "CUDA", 2, false));
        assertTrue(uuid.getMessage().contains("'GPU-7f3a', not a CUDA device ordinal"), uuid.getMessage());
    }

    @Test
    void aTaskThatAsksForAGpuAndGotNoneFails() {
        GpuConfigurationException e = assertThrows(GpuConfigurationException.class,
                () -> DeviceBinding.decide(6, 0, NONE, 0.25, "CUDA", 1, false));
        assertTrue(e.getMessage().startsWith("task 6 asks for spark.task.resource.gpu.amount=0.25 but Spark assigned it no GPU"), e.getMessage());
    }

    @Test
    void driverChecksTheApplicationsGpuSettingsBeforeSparkStarts() {
        // no GPU settings: the backend is never asked (no ND4J load for CPU runs)
        DeviceBinding.checkApplication(new SparkConf(false).set("spark.master", "local[2]"), () -> {
            throw new AssertionError("backend asked");
        });
        SparkConf gpu = new SparkConf(false).set("spark.master", "spark://127.0.0.1:7077")
                .set("spark.executor.resource.gpu.amount", "1").set("spark.task.resource.gpu.amount", "1");
        GpuConfigurationException cpuJar = assertThrows(GpuConfigurationException.class, () -> DeviceBinding.checkApplication(gpu, () -> "CPU"));
        assertTrue(cpuJar.getMessage().startsWith("the GPU settings ask for 1 GPU(s) per executor but this is the CPU application jar"), cpuJar.getMessage());
        DeviceBinding.checkApplication(gpu, () -> "CUDA");
        DeviceBinding.checkApplication(gpu.clone().set(DeviceBinding.SIMULATE, "true"), () -> "CPU");

        SparkConf overAsking = gpu.clone().set("spark.task.resource.gpu.amount", "2");
        assertEquals("spark.task.resource.gpu.amount=2 is more than an executor has (spark.executor.resource.gpu.amount=1): "
                + "no task could ever be scheduled", assertThrows(GpuConfigurationException.class,
                () -> DeviceBinding.checkApplication(overAsking, () -> "CUDA")).getMessage());

        SparkConf local = gpu.clone().set("spark.master", "local[*]");
        assertTrue(assertThrows(GpuConfigurationException.class, () -> DeviceBinding.checkApplication(local, () -> "CUDA"))
                .getMessage().contains("local[*] schedules no GPUs"));
    }
}
