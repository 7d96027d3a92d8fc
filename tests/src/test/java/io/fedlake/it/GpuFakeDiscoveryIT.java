package io.fedlake.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark's GPU scheduling on a CPU machine: a real spark-submit to {@code local-cluster} (a standalone master and
 * worker in the driver JVM, executors in their own JVMs), whose worker advertises GPUs from
 * {@code gpu-config/fakeGpusResources.sh}. {@code gpu-check} runs one probe task per slot; each binds itself with
 * {@code DeviceBinding} and reports the address Spark gave it and the ND4J device it selected (simulated: ND4J
 * stays on CPU).
 */
class GpuFakeDiscoveryIT {

    static final Path FAKE = SparkSubmit.ROOT.resolve("gpu-config/fakeGpusResources.sh");
    static final Pattern TASK = Pattern.compile("^  task      task \\d+ \\(partition \\d\\): GPU (\\S+) -> ND4J device (\\d+) \\(CPU, simulated: ND4J stays on CPU\\) on executor (\\S+);");

    @TempDir
    Path tmp;

    /** One worker with 2 cores and 2 fake GPUs; its executor takes both GPUs, each task one. */
    private static List<String> cluster(String executorGpus, String taskGpus) {
        return List.of("--master", "local-cluster[1,2,1536]",
                "--conf", "spark.worker.resource.gpu.amount=2",
                "--conf", "spark.worker.resource.gpu.discoveryScript=" + FAKE,
                "--conf", "spark.executor.resource.gpu.amount=" + executorGpus,
                "--conf", "spark.task.resource.gpu.amount=" + taskGpus);
    }

    @Test
    void tasksReceiveDistinctFakeGpusAndTheBindingSelectsThem() throws Exception {
        List<String> args = new ArrayList<>(cluster("2", "1"));
        args.addAll(List.of("--conf", "spark.fedlake.gpu.simulate=true"));
        SparkSubmit.Result r = SparkSubmit.run(tmp, List.of(), args, Map.of("FEDLAKE_FAKE_GPUS", "0,1"), "gpu-check", "--lake", tmp.resolve("lake").toString());
        assertEquals(0, r.code(), r.tail());
        assertTrue(r.stdout().contains("spark.executor.resource.gpu.amount=2, spark.task.resource.gpu.amount=1"), r.tail());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("^  executor  0 at \\S+: 2 core\\(s\\), GPUs 0,1$")), r.tail());

        Set<String> addresses = new TreeSet<>();
        for (String line : r.stdout().lines().filter(l -> l.startsWith("  task      ")).toList()) {
            Matcher m = TASK.matcher(line);
            assertTrue(m.find(), line + "\n" + r.tail());
            assertEquals(m.group(1), m.group(2), "the ND4J device is the address Spark assigned: " + line);
            assertEquals("0", m.group(3), "probe tasks run on the executor, not the driver: " + line);
            addresses.add(m.group(1));
        }
        assertEquals(Set.of("0", "1"), addresses, "two concurrent tasks, two distinct GPUs:\n" + r.stdout());
        assertEquals("gpu-check: no GPU for ND4J (CPU backend); 2 simulated GPU(s) on executors, 2 of 2 probe task(s) bound (simulated)",
                r.stdout().lines().reduce((a, b) -> b).orElse(""), r.tail());
    }

    @Test
    void withoutGpuResourcesTasksRunOnCpuUnchanged() throws Exception {
        SparkSubmit.Result r = SparkSubmit.run(tmp, List.of(), List.of("--master", "local-cluster[1,2,1536]"), Map.of(),
                "gpu-check", "--lake", tmp.resolve("lake").toString());
        assertEquals(0, r.code(), r.tail());
        assertEquals(2, r.stdout().lines().filter(l -> l.matches("^  task      task \\d+ \\(partition \\d\\): no GPU resource, ND4J CPU default device on executor 0;.*")).count(),
                r.tail());
        assertEquals("gpu-check: no GPU (ND4J CPU backend, no Spark GPU resources)", r.stdout().lines().reduce((a, b) -> b).orElse(""), r.tail());
    }

    @Test
    void wrongGpuConfigurationsFailInOneLine() throws Exception {
        // GPUs for executors whose ND4J backend is the CPU one (the CPU jar), without the test-only simulation
        SparkSubmit.Result cpuJar = SparkSubmit.run(tmp, List.of(), cluster("2", "1"), Map.of(), "gpu-check", "--lake", tmp.resolve("lake").toString());
        assertEquals(1, cpuJar.code(), cpuJar.tail());
        assertEquals(List.of("fedlake: error: the GPU settings ask for 2 GPU(s) per executor but this is the CPU application jar (ND4J nd4j-native): "
                + "build and submit the GPU jar (mvn -Pgpu package), or use --profile cpu-local"), errorLines(cpuJar), cpuJar.tail());

        // an executor asking for more GPUs than the worker's discovery script reports: never schedulable
        List<String> overAsking = new ArrayList<>(cluster("4", "1"));
        overAsking.addAll(List.of("--conf", "spark.fedlake.gpu.simulate=true"));
        SparkSubmit.Result over = SparkSubmit.run(tmp, List.of(), overAsking, Map.of(), "gpu-check", "--wait", "10", "--lake", tmp.resolve("lake").toString());
        assertEquals(1, over.code(), over.tail());
        assertEquals(List.of("fedlake: error: no executor could take a task in 10 s: the cluster cannot give an executor spark.executor.resource.gpu.amount=4 "
                + "GPU(s) and its core(s) (do the workers' discovery scripts report that many GPUs?)"), errorLines(over), over.tail());
    }

    private static List<String> errorLines(SparkSubmit.Result r) {
        return r.stderr().lines().filter(l -> l.startsWith("fedlake: ")).toList();
    }
}
