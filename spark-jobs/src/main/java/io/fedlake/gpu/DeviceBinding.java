package io.fedlake.gpu;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The one place a Spark task is bound to its device. Training ({@code LocalFit}) and scoring ({@code ScoringJob})
 * tasks call {@link #forCurrentTask()} before their first ND4J operation: it reads the GPU addresses Spark assigned
 * the task ({@code TaskContext.resources().get("gpu")}, from the discovery script of the worker or executor) and,
 * under ND4J's CUDA backend, makes the first one the current CUDA device of the task's thread with
 * {@code Nd4j.getAffinityManager().unsafeSetDevice} — the documented way to pin a thread in ND4J 1.0.0-M2.1
 * (ND4J otherwise spreads threads over devices round-robin, so two tasks could share a GPU and leave one idle).
 * <p>
 * Without a GPU resource the task runs unchanged (ND4J's own default device, CPU under {@code nd4j-native}).
 * Configurations that cannot do what they ask fail with one line ({@link GpuConfigurationException}): a GPU for a
 * task whose ND4J backend is the CPU one, an address that is not a device ND4J sees, a task that asks for a GPU and
 * got none. {@value #SIMULATE}{@code =true} (tests with a fake discovery script) accepts GPU addresses under the CPU
 * backend: the selection is computed and recorded, ND4J stays on CPU.
 */
public final class DeviceBinding {

    /** Test-only: accept GPU addresses with the CPU backend, record the selection, do not touch ND4J's device. */
    public static final String SIMULATE = "spark.fedlake.gpu.simulate";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceBinding.class);
    /** The binding of the task running on this thread (Spark reuses task threads: keyed by the task attempt). */
    private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();
    /**
     * Where a task's device decisions (a binding, a batch sized to a GPU) are reported besides this JVM's log:
     * {@link DeviceBindingPlugin} sends them to the driver, whose log then shows every task's.
     */
    private static volatile java.util.function.Consumer<Report> reporter = r -> { };

    /** A device decision of task attempt {@code task} on GPU {@code gpu}: {@code kind} "device binding" or "device memory". */
    record Report(String kind, long task, String gpu, String text) implements Serializable {
    }

    private DeviceBinding() {
    }

    /**
     * What a task was bound to. {@code gpuAddresses} are Spark's (empty: no GPU resource); {@code nd4jDevice} is the
     * CUDA ordinal selected for the thread, or -1 when ND4J was left on its default device.
     */
    public record Binding(long taskAttemptId, int partition, List<String> gpuAddresses, int nd4jDevice, String backend, boolean simulated)
            implements Serializable {
        public boolean onGpu() {
            return nd4jDevice >= 0 && !simulated;
        }

        public String describe() {
            String task = taskAttemptId < 0 ? "driver" : "task " + taskAttemptId + " (partition " + partition + ")";
            if (gpuAddresses.isEmpty()) {
                return task + ": no GPU resource, ND4J " + backend + " default device";
            }
            return task + ": GPU " + String.join(",", gpuAddresses) + " -> ND4J device " + nd4jDevice + " (" + backend
                    + (simulated ? ", simulated: ND4J stays on CPU" : "") + ")";
        }
    }

    /**
     * ND4J's backend in this JVM: {@code CUDA} or {@code CPU}. Loads ND4J on first use; when no backend loads (the
     * GPU jar on a machine without an NVIDIA driver: ND4J skips its CUDA backend and has no other) that is one line.
     */
    public static String backend() {
        try {
            return Nd4j.getEnvironment().isCPU() ? "CPU" : "CUDA";
        } catch (ExceptionInInitializerError | NoClassDefFoundError | RuntimeException e) {
            if (e instanceof RuntimeException && !noBackend(e)) {
                throw e;
            }
            throw new GpuConfigurationException("ND4J found no usable backend: the GPU jar's CUDA backend needs an NVIDIA driver "
                    + "(libcuda.so.1) and the CUDA 11.6 runtime on this machine; use the CPU jar where there is no GPU");
        }
    }

    private static boolean noBackend(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Nd4jBackend.NoAvailableBackendException) {
                return true;
            }
        }
        return false;
    }

    static void reportTo(java.util.function.Consumer<Report> r) {
        reporter = r;
    }

    /** Logs a device decision of the task bound to {@code b} here and reports it to the driver (where the plugin runs). */
    static void report(String kind, Binding b, String text) {
        LOG.info("{}: {}", kind, text);
        reporter.accept(new Report(kind, b.taskAttemptId(), b.gpuAddresses().isEmpty() ? null : b.gpuAddresses().get(0), text));
    }

    /**
     * Binds the calling task's thread to its GPU (see the class comment) and returns what it did. Outside a task
     * (the driver, local tests) nothing is bound. {@link DeviceBindingPlugin} calls it when each task starts, so
     * tasks whose code is not Fedlake's (dl4j-spark's workers) are bound too; Fedlake's own tasks call it again for
     * the binding, which is decided once per task attempt.
     */
    public static Binding forCurrentTask() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return new Binding(-1, -1, List.of(), -1, backend(), false);
        }
        Binding bound = CURRENT.get();
        if (bound != null && bound.taskAttemptId() == task.taskAttemptId()) {
            return bound;
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        SparkConf conf = SparkEnv.get() == null ? new SparkConf(false) : SparkEnv.get().conf();
        String backend = backend();
        int visible = "CUDA".equals(backend) ? Nd4j.getAffinityManager().getNumberOfDevices() : 0;
        Binding b = decide(task.taskAttemptId(), task.partitionId(), gpu == null ? new String[0] : gpu.addresses(),
                conf.getDouble("spark.task.resource.gpu.amount", 0), backend, visible, conf.getBoolean(SIMULATE, false));
        if (b.onGpu()) {
            Nd4j.getAffinityManager().unsafeSetDevice(b.nd4jDevice());
        }
        CURRENT.set(b);
        if (!b.gpuAddresses().isEmpty()) {
            report("device binding", b, b.describe());
        }
        return b;
    }

    /**
     * The decision, without Spark or ND4J: the task's GPU addresses, the GPUs per task the application asks for, the
     * backend ({@code CPU}/{@code CUDA}), how many CUDA devices ND4J sees, and whether fake GPUs are accepted.
     */
    static Binding decide(long taskAttemptId, int partition, String[] addresses, double taskGpuAmount, String backend,
                          int visibleDevices, boolean simulate) {
        List<String> given = List.copyOf(Arrays.asList(addresses));
        if (given.isEmpty()) {
            if (taskGpuAmount > 0) {
                throw new GpuConfigurationException("task " + taskAttemptId + " asks for spark.task.resource.gpu.amount="
                        + taskGpuAmount + " but Spark assigned it no GPU (local[*] schedules no GPUs: use a cluster master, "
                        + "or drop the GPU profile)");
            }
            return new Binding(taskAttemptId, partition, given, -1, backend, false);
        }
        if ("CPU".equals(backend) && !simulate) {
            throw new GpuConfigurationException("task " + taskAttemptId + " was given GPU " + String.join(",", given)
                    + " but ND4J runs its CPU backend (nd4j-native): submit the GPU jar (mvn -Pgpu package) or use a CPU profile");
        }
        int ordinal;
        try {
            ordinal = Integer.parseInt(given.get(0).trim());
        } catch (NumberFormatException e) {
            throw new GpuConfigurationException("task " + taskAttemptId + " was given GPU address '" + given.get(0)
                    + "', not a CUDA device ordinal: the discovery script must report nvidia-smi indices (0, 1, …)");
        }
        if (ordinal < 0 || (!simulate && ordinal >= visibleDevices)) {
            throw new GpuConfigurationException("task " + taskAttemptId + " was given GPU " + given.get(0) + " but ND4J sees "
                    + visibleDevices + " CUDA device(s) (0.." + (visibleDevices - 1) + "): the discovery script reports a GPU "
                    + "this executor cannot use (check CUDA_VISIBLE_DEVICES and the script)");
        }
        return new Binding(taskAttemptId, partition, given, ordinal, backend, simulate && "CPU".equals(backend));
    }

    /**
     * Checks an application's GPU settings on the driver before Spark starts: executors that ask for GPUs need the
     * CUDA backend (unless {@value #SIMULATE}), a task cannot ask for more GPUs than an executor has, and local
     * mode schedules no GPUs. {@code backend} is only evaluated when the settings ask for GPUs.
     */
    public static void checkApplication(SparkConf conf, java.util.function.Supplier<String> backend) {
        double executor = conf.getDouble("spark.executor.resource.gpu.amount", 0);
        double task = conf.getDouble("spark.task.resource.gpu.amount", 0);
        if (executor <= 0 && task <= 0) {
            return;
        }
        String master = conf.get("spark.master", "");
        if (master.startsWith("local") && !master.startsWith("local-cluster")) {
            throw new GpuConfigurationException("the GPU settings (spark.executor.resource.gpu.amount=" + fmt(executor)
                    + ", spark.task.resource.gpu.amount=" + fmt(task) + ") need a cluster master; " + master
                    + " schedules no GPUs (use --profile cpu-local, or --master spark://…, yarn, k8s://…)");
        }
        if (task > executor) {
            throw new GpuConfigurationException("spark.task.resource.gpu.amount=" + fmt(task) + " is more than an executor has "
                    + "(spark.executor.resource.gpu.amount=" + fmt(executor) + "): no task could ever be scheduled");
        }
        if (!conf.getBoolean(SIMULATE, false) && "CPU".equals(backend.get())) {
            throw new GpuConfigurationException("the GPU settings ask for " + fmt(executor) + " GPU(s) per executor but this is the CPU "
                    + "application jar (ND4J nd4j-native): build and submit the GPU jar (mvn -Pgpu package), or use --profile cpu-local");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
