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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Training and scoring on the fake GPUs: every task is bound as it starts (dl4j-spark's workers too, by
     * {@code DeviceBindingPlugin}, which reports each binding to the driver's log), scoring shrinks its batch to what
     * the simulated free memory holds and still scores every row, and a training batch that cannot fit is refused in
     * one line with the largest that would.
     */
    @Test
    void trainingAndScoringTasksAreBoundToTheirGpusAndBatchesSizedToItsMemory() throws Exception {
        String lake = tmp.resolve("lake").toString();
        SparkSubmit.Result gen = SparkSubmit.run(tmp, "generate", "--lake", lake, "--domain", "credit", "--rows", "3000");
        assertEquals(0, gen.code(), gen.tail());

        List<String> gpus = new ArrayList<>(cluster("2", "1"));
        gpus.addAll(List.of("--conf", "spark.fedlake.gpu.simulate=true", "--conf", "spark.fedlake.gpu.simulate.freeBytes=1048576"));
        Map<String, String> fake = Map.of("FEDLAKE_FAKE_GPUS", "0,1");

        SparkSubmit.Result train = SparkSubmit.run(tmp, List.of(), gpus, fake, "train", "--lake", lake, "--domain", "credit",
                "--regime", "dl4j-paramavg", "--epochs", "1", "--no-baseline");
        assertEquals(0, train.code(), train.tail());
        Pattern bound = Pattern.compile(" INFO DeviceBindingPlugin: device binding: stage \\d+ on executor 0: task \\d+ \\(partition \\d+\\): "
                + "GPU (\\d) -> ND4J device (\\d) \\(CPU, simulated: ND4J stays on CPU\\)$");
        Set<String> trainGpus = new TreeSet<>();
        for (String line : train.logLines("INFO")) {
            Matcher m = bound.matcher(line);
            if (m.find()) {
                assertEquals(m.group(1), m.group(2), line);
                trainGpus.add(m.group(1));
            }
        }
        assertEquals(Set.of("0", "1"), trainGpus, "tasks bound to both GPUs:\n" + train.tail());
        // every task of the application, dl4j-spark's and Spark's own (Delta's log scans) too, was bound as it started
        Matcher all = Pattern.compile(" INFO DeviceBindingPlugin: device binding: (\\d+) of (\\d+) finished task\\(s\\) were bound to a GPU "
                + "\\(GPU 0: (\\d+), GPU 1: (\\d+)\\)$", Pattern.MULTILINE).matcher(String.join("\n", train.logLines("INFO")));
        assertTrue(all.find(), train.tail());
        assertEquals(all.group(2), all.group(1), all.group());
        assertTrue(Integer.parseInt(all.group(2)) > 20, "a training run is many stages: " + all.group());
        System.out.println("GpuFakeDiscoveryIT training:" + all.group());

        SparkSubmit.Result score = SparkSubmit.run(tmp, List.of(), gpus, fake, "score", "--lake", lake, "--model", "credit-mlp",
                "--all-dates", "--date", "2026-12-04");
        assertEquals(0, score.code(), score.tail());
        Pattern sized = Pattern.compile(" INFO DeviceBindingPlugin: device memory: stage \\d+ on executor 0: task \\d+: batch 16384 -> (\\d+) rows "
                + "to fit GPU [01] \\(simulated\\) \\(.+ per row for inference, 80% of 1.0 MiB free\\)$");
        List<Integer> batches = score.logLines("INFO").stream().map(sized::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(1))).toList();
        assertFalse(batches.isEmpty(), "the scoring tasks size their batch to the simulated 1 MiB:\n" + score.tail());
        assertTrue(batches.stream().allMatch(b -> b > 100 && b < 16384), batches.toString());
        score.logLines("INFO").stream().filter(l -> sized.matcher(l).find()).forEach(l -> System.out.println("GpuFakeDiscoveryIT scoring:" + l));
        assertTrue(score.line("scored raw.credit").contains("3,000 read = 3,000 scored + 0 quarantined"), score.tail());

        SparkSubmit.Result tooBig = SparkSubmit.run(tmp, List.of(), gpus, fake, "train", "--lake", lake, "--domain", "credit",
                "--regime", "paramavg", "--epochs", "1", "--no-baseline", "--batch-size", "4096");
        assertEquals(1, tooBig.code(), tooBig.tail());
        List<String> error = errorLines(tooBig);
        assertEquals(1, error.size(), tooBig.tail());
        System.out.println("GpuFakeDiscoveryIT refused: " + error.get(0));
        assertTrue(error.get(0).matches("fedlake: error: a training batch of 4096 rows needs [\\d.]+ MiB on GPU [01] \\(simulated\\), which has 1.0 MiB free "
                + "\\(80% of it usable, spark.fedlake.gpu.memoryFraction\\): use --batch-size \\d+ or less"), tooBig.tail());
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
