package io.fedlake.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --profile} and {@code gpu-check} on a CPU machine: wrong GPU configurations are one line, before Spark starts. */
class GpuCheckCommandTest {

    @TempDir
    Path tmp;

    @Test
    void anUnknownProfileIsAUsageError() {
        CliRun r = CliRun.of("gpu-check", "--profile", "gpu-moon", "--lake", tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().findFirst().orElse("").startsWith("fedlake: unknown --profile gpu-moon (known: cpu-local, gpu-standalone, gpu-yarn, gpu-k8s"), r.err());
        assertTrue(r.err().lines().skip(1).allMatch(l -> l.startsWith("Try '")), r.err());
    }

    @Test
    void aGpuProfileWithTheCpuJarFailsInOneLine() {
        // a master that is never contacted: the check runs before Spark starts
        CliRun r = CliRun.of("--profile", "gpu-standalone", "--master", "spark://127.0.0.1:9", "gpu-check", "--lake", tmp.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(List.of("fedlake: error: the GPU settings ask for 1 GPU(s) per executor but this is the CPU application jar "
                + "(ND4J nd4j-native): build and submit the GPU jar (mvn -Pgpu package), or use --profile cpu-local"), r.err().lines().toList());
    }

    @Test
    void confWinsOverTheProfileAndAnOverAskingOneFailsInOneLine() {
        CliRun r = CliRun.of("--profile", "gpu-yarn", "--conf", "spark.task.resource.gpu.amount=2", "--master", "spark://127.0.0.1:9",
                "gpu-check", "--lake", tmp.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(List.of("fedlake: error: spark.task.resource.gpu.amount=2 is more than an executor has (spark.executor.resource.gpu.amount=1): "
                + "no task could ever be scheduled"), r.err().lines().toList());
    }

    @Test
    void gpuCheckOnACpuMachineSaysNoGpu() {
        CliRun r = CliRun.of("gpu-check", "--profile", "cpu-local", "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--lake", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  nd4j      backend CPU (org.nd4j.linalg.cpu.nativecpu.CpuBackend)"), r.out());
        assertTrue(r.out().contains("  rapids    not active (spark.plugins has no com.nvidia.spark.SQLPlugin)"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("  task      ") && l.contains(": no GPU resource, ND4J CPU default device")).count(), r.out());
        assertEquals("gpu-check: no GPU (ND4J CPU backend, no Spark GPU resources)", r.out().lines().reduce((a, b) -> b).orElse(""), r.out());
    }
}
