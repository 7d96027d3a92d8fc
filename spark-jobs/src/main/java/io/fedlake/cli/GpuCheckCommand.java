package io.fedlake.cli;

import io.fedlake.core.UserError;

import io.fedlake.gpu.DeviceBinding;
import io.fedlake.gpu.GpuProbe;
import io.fedlake.lake.Lake;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.resource.ResourceInformation;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fedlake gpu-check}: what this application would run on. ND4J's backend and devices on the driver (each timed
 * with a tiny forward pass), the GPU resources Spark gave the application and each executor, the RAPIDS
 * Accelerator's state, and one probe task per slot that binds itself ({@link DeviceBinding}) and times the same
 * forward pass on its device. On a machine without GPUs it says so and exits 0.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = {"Report ND4J's backend and devices, the Spark GPU resources of the application and of each executor, "
                + "whether the RAPIDS Accelerator is active and in which mode, and a tiny forward pass timed per device and per task slot.",
                "Use it with the same --profile/--master/--conf (or spark-submit settings) as the job it checks."})
final class GpuCheckCommand extends SparkCommand {

    @picocli.CommandLine.Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long to wait for executors to register. Default: ${DEFAULT-VALUE}")
    int waitSeconds;

    @Override
    protected void validate() {
        if (waitSeconds < 1) {
            throw new IllegalArgumentException("--wait must be ≥ 1, got " + waitSeconds);
        }
    }

    @Override
    protected int run(Lake lake) {
        SparkContext sc = lake.spark().sparkContext();
        SparkConf conf = sc.getConf();
        String backend = DeviceBinding.backend();
        out.printf(Locale.ROOT, "fedlake gpu-check: Spark %s, master %s, app %s%n", sc.version(), sc.master(), sc.applicationId());
        out.printf("  nd4j      backend %s (%s)%n", backend, org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getName());
        List<String> devices = GpuProbe.nd4jDevices();
        for (int d = 0; d < devices.size(); d++) {
            double ms = onDevice("CUDA".equals(backend) ? d : -1);
            out.printf(Locale.ROOT, "            device %s; forward pass %d rows: %.2f ms (%,.0f rows/s)%n", devices.get(d), GpuProbe.BATCH, ms, GpuProbe.BATCH / ms * 1000);
        }
        out.printf("  spark     spark.executor.resource.gpu.amount=%s, spark.task.resource.gpu.amount=%s, discovery script %s%s%n",
                conf.get("spark.executor.resource.gpu.amount", "unset"), conf.get("spark.task.resource.gpu.amount", "unset"),
                conf.get("spark.executor.resource.gpu.discoveryScript", conf.get("spark.worker.resource.gpu.discoveryScript", "none")),
                conf.getBoolean(DeviceBinding.SIMULATE, false) ? " (" + DeviceBinding.SIMULATE + "=true: fake GPUs, ND4J stays on CPU)" : "");
        ResourceInformation driverGpu = scala.collection.JavaConverters.mapAsJavaMap(sc.resources()).get("gpu");
        out.printf("            driver GPUs: %s%n", driverGpu == null ? "none" : String.join(",", driverGpu.addresses()));
        int slots;
        try {
            slots = GpuProbe.slots(sc, waitSeconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for executors");
        }
        int gpus = 0;
        for (GpuProbe.ExecutorGpus e : GpuProbe.executors(sc)) {
            gpus += e.gpus().size();
            out.printf("  executor  %s at %s: %d core(s), GPUs %s%n", e.id(), e.hostPort(), e.cores(), e.gpus().isEmpty() ? "none" : String.join(",", e.gpus()));
        }
        Map<String, String> rapids = GpuProbe.rapids(conf);
        boolean rapidsActive = Boolean.parseBoolean(rapids.get("configured")) && Boolean.parseBoolean(rapids.get("onClasspath"));
        out.printf("  rapids    %s%n", rapidsActive
                ? "active (spark.plugins has com.nvidia.spark.SQLPlugin), version " + rapids.getOrDefault("version", "?") + ", mode "
                + rapids.get("mode") + ", spark.rapids.sql.enabled=" + rapids.get("sql.enabled")
                : Boolean.parseBoolean(rapids.get("configured")) ? "configured but not on the classpath (add rapids-4-spark_2.12-25.04.0.jar with spark-submit --jars)"
                : "not active (spark.plugins has no com.nvidia.spark.SQLPlugin)");
        if (slots == 0) {
            throw new UserError("no executor could take a task in " + waitSeconds + " s: the cluster cannot give an executor "
                    + "spark.executor.resource.gpu.amount=" + conf.get("spark.executor.resource.gpu.amount", "0") + " GPU(s) and "
                    + conf.get("spark.executor.cores", "its") + " core(s) (do the workers' discovery scripts report that many GPUs?)");
        }
        int bound = 0;
        for (GpuProbe.TaskReport r : GpuProbe.probeTasks(lake.spark(), slots)) {
            bound += r.binding().gpuAddresses().isEmpty() ? 0 : 1;
            out.printf(Locale.ROOT, "  task      %s on executor %s; forward pass %d rows: %.2f ms (%,.0f rows/s)%n", r.binding().describe(),
                    r.executorId(), GpuProbe.BATCH, r.forwardMillis(), GpuProbe.BATCH / r.forwardMillis() * 1000);
        }
        if ("CUDA".equals(backend) && gpus > 0) {
            out.printf("gpu-check: %d GPU(s) on executors, %d of %d probe task(s) bound to a GPU, ND4J CUDA%n", gpus, bound, slots);
        } else if (gpus > 0) {
            out.printf("gpu-check: no GPU for ND4J (CPU backend); %d simulated GPU(s) on executors, %d of %d probe task(s) bound (simulated)%n",
                    gpus, bound, slots);
        } else {
            out.printf("gpu-check: no GPU (ND4J %s backend, no Spark GPU resources)%n", backend);
        }
        return 0;
    }

    /** The forward pass on ND4J device {@code device} (-1: the default), on a fresh thread so the driver's stays as it was. */
    private static double onDevice(int device) {
        double[] ms = new double[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                if (device >= 0) {
                    org.nd4j.linalg.factory.Nd4j.getAffinityManager().unsafeSetDevice(device);
                }
                ms[0] = GpuProbe.forwardMillis();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "gpu-check-device-" + device);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return ms[0];
    }
}
