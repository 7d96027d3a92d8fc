package io.fedlake.gpu;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Batch sizes against the memory of the GPU a task is bound to ({@link DeviceBinding}). A network's need is DL4J's
 * own memory report ({@code ComputationGraphConfiguration.getMemoryReport}): a fixed part (parameters, optimiser
 * state) and a part per row (activations, and for training their gradients and the working memory), plus the
 * input arrays. A task without a GPU is never sized: CPU batches are exactly what the user asked for.
 * <ul>
 *   <li>Inference (scoring, holdout evaluation) takes the requested batch when it fits in {@value #FRACTION_KEY}
 *   (default {@value #DEFAULT_FRACTION}) of the device's free memory, else the largest batch that does: the batch
 *   size does not change a score.</li>
 *   <li>Training refuses a batch that does not fit, with the largest one that would: the batch size is a
 *   hyperparameter, so it is never changed behind the user's back.</li>
 * </ul>
 * Under {@value DeviceBinding#SIMULATE}, {@value #SIMULATED_FREE_KEY} stands for the free memory of the fake GPUs.
 */
public final class DeviceMemory {

    public static final String FRACTION_KEY = "spark.fedlake.gpu.memoryFraction";
    static final double DEFAULT_FRACTION = 0.8;
    /** Test-only, with {@value DeviceBinding#SIMULATE}: the free bytes each fake GPU reports. */
    public static final String SIMULATED_FREE_KEY = "spark.fedlake.gpu.simulate.freeBytes";

    private static final int SLOPE_ROWS = 1024;
    private static final Map<String, Need> NEEDS = new ConcurrentHashMap<>();

    private DeviceMemory() {
    }

    /** What a network needs on a device: {@code fixedBytes} whatever the batch, {@code perRowBytes} for each row of it. */
    public record Need(long fixedBytes, long perRowBytes, String mode) implements Serializable {
        public long bytes(long rows) {
            return fixedBytes + perRowBytes * rows;
        }
    }

    /**
     * The need of {@code conf} for inputs shaped like {@code examples} (any number of rows: only the shape per row
     * is read). An input of rank 4 is an NCHW image, one of rank 2 a vector (an embedding's index column included).
     */
    public static Need need(ComputationGraphConfiguration conf, INDArray[] examples, MemoryUseMode mode) {
        InputType[] types = new InputType[examples.length];
        long inputPerRow = 0;
        for (int i = 0; i < examples.length; i++) {
            long[] s = examples[i].shape();
            types[i] = switch (s.length) {
                case 4 -> InputType.convolutional(s[2], s[3], s[1]);
                case 2 -> InputType.feedForward(s[1]);
                default -> throw new IllegalArgumentException("input " + i + " has shape " + java.util.Arrays.toString(s)
                        + "; expected [rows, width] or [rows, channels, height, width]");
            };
            long elements = 1;
            for (int d = 1; d < s.length; d++) {
                elements *= s[d];
            }
            inputPerRow += elements * examples[i].dataType().width();
        }
        NetworkMemoryReport report = conf.getMemoryReport(types);
        // The report is affine in the batch only past small batches (working memory is a maximum over layers): the
        // slope is taken over 1,024 rows and the rest of one row's total is the fixed part.
        long one = report.getTotalMemoryBytes(1, mode, CacheMode.NONE, DataType.FLOAT);
        long many = report.getTotalMemoryBytes(1 + SLOPE_ROWS, mode, CacheMode.NONE, DataType.FLOAT);
        long activations = Math.max(1, (many - one + SLOPE_ROWS - 1) / SLOPE_ROWS);
        return new Need(Math.max(0, one - activations), activations + inputPerRow, mode == MemoryUseMode.TRAINING ? "training" : "inference");
    }

    /** As {@link #need}, computed once per network and mode in this JVM. */
    public static Need need(String sha256, ComputationGraphConfiguration conf, INDArray[] examples, MemoryUseMode mode) {
        return NEEDS.computeIfAbsent(sha256 + "/" + mode, k -> need(conf, examples, mode));
    }

    /**
     * The free bytes of the task's GPU: ND4J's count for a CUDA device, {@value #SIMULATED_FREE_KEY} for a
     * simulated one, -1 where the task has no GPU (or a simulated one without that setting): nothing to size.
     */
    public static long freeBytes(DeviceBinding.Binding b) {
        if (b.onGpu()) {
            return org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().getDeviceFreeMemory(b.nd4jDevice());
        }
        if (b.simulated()) {
            return conf().getLong(SIMULATED_FREE_KEY, -1);
        }
        return -1;
    }

    private static SparkConf conf() {
        return SparkEnv.get() == null ? new SparkConf(false) : SparkEnv.get().conf();
    }

    private static double fraction() {
        double f = conf().getDouble(FRACTION_KEY, DEFAULT_FRACTION);
        if (!(f > 0 && f <= 1)) {
            throw new GpuConfigurationException(FRACTION_KEY + "=" + f + " must be in (0, 1]");
        }
        return f;
    }

    /**
     * The inference batch for the calling task: {@code requested}, or fewer rows where its GPU holds fewer.
     * {@code need} is only asked for where there is a GPU to size for.
     */
    public static int inferenceBatch(DeviceBinding.Binding b, java.util.function.Supplier<Need> needed, int requested) {
        long free = freeBytes(b);
        if (free < 0) {
            return requested;
        }
        Need need = needed.get();
        int batch = inferenceBatch(need, requested, free, fraction(), device(b));
        if (batch < requested) {
            DeviceBinding.report("device memory", b, String.format(Locale.ROOT, "task %d: batch %d -> %d rows to fit %s (%s + %s per row for %s, %s of %s free)",
                    b.taskAttemptId(), requested, batch, device(b), size(need.fixedBytes()), size(need.perRowBytes()), need.mode(), pct(fraction()), size(free)));
        }
        return batch;
    }

    /** The decision, without Spark or ND4J. */
    static int inferenceBatch(Need need, int requested, long freeBytes, double fraction, String device) {
        long fits = rowsThatFit(need, freeBytes, fraction);
        if (fits < 1) {
            throw new GpuConfigurationException(String.format(Locale.ROOT, "the model needs %s for its parameters and %s per row for %s, "
                            + "but %s has %s free (%s of it usable, %s): free the GPU or give the task a whole one",
                    size(need.fixedBytes()), size(need.perRowBytes()), need.mode(), device, size(freeBytes), pct(fraction), FRACTION_KEY));
        }
        return (int) Math.min(requested, fits);
    }

    /** Refuses a training batch that the calling task's GPU cannot hold ({@code need} is only asked for where there is one). */
    public static void checkTrainingBatch(DeviceBinding.Binding b, java.util.function.Supplier<Need> need, int batch) {
        long free = freeBytes(b);
        if (free >= 0) {
            checkTrainingBatch(need.get(), batch, free, fraction(), device(b));
        }
    }

    static void checkTrainingBatch(Need need, int batch, long freeBytes, double fraction, String device) {
        long fits = rowsThatFit(need, freeBytes, fraction);
        if (fits < batch) {
            throw new GpuConfigurationException(String.format(Locale.ROOT, "a training batch of %d rows needs %s on %s, which has %s free "
                            + "(%s of it usable, %s): %s", batch, size(need.bytes(batch)), device, size(freeBytes), pct(fraction), FRACTION_KEY,
                    fits < 1 ? "not even one row fits; free the GPU or give the task a whole one" : "use --batch-size " + fits + " or less"));
        }
    }

    private static long rowsThatFit(Need need, long freeBytes, double fraction) {
        long usable = (long) (freeBytes * fraction) - need.fixedBytes();
        return usable <= 0 ? 0 : usable / need.perRowBytes();
    }

    private static String device(DeviceBinding.Binding b) {
        return "GPU " + b.nd4jDevice() + (b.simulated() ? " (simulated)" : "");
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.0f%%", f * 100);
    }
}
