package io.fedlake.gpu;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Binds every task of a GPU application to its GPU when the task starts ({@code ExecutorPlugin.onTaskStart} runs on
 * the task's own thread, before its code), so the tasks of code Fedlake does not own — dl4j-spark's parameter
 * averaging workers — are bound like Fedlake's own. Each binding, and each batch sized down to fit a GPU
 * ({@link DeviceMemory}), is sent to the driver, which logs it: one log shows which task ran on which GPU, and at
 * the end how many of the application's tasks were bound. {@link #register} adds the plugin to {@code spark.plugins} of any application
 * that asks for GPUs; a failing binding is logged here and thrown again by the task's own call of
 * {@link DeviceBinding#forCurrentTask()} (Spark logs and ignores what a plugin's {@code onTaskStart} throws).
 */
public final class DeviceBindingPlugin implements SparkPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceBindingPlugin.class);

    /** A task's device decision as the driver receives it: where it happened (stage, executor) and what. */
    record Event(int stageId, String executorId, DeviceBinding.Report report) implements Serializable {
    }

    /** Adds this plugin to {@code spark.plugins} (once, after any there) when the settings ask executors for GPUs. */
    public static void register(SparkConf conf) {
        if (conf.getDouble("spark.executor.resource.gpu.amount", 0) <= 0 && conf.getDouble("spark.task.resource.gpu.amount", 0) <= 0) {
            return;
        }
        LinkedHashSet<String> plugins = new LinkedHashSet<>();
        Arrays.stream(conf.get("spark.plugins", "").split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(plugins::add);
        plugins.add(DeviceBindingPlugin.class.getName());
        conf.set("spark.plugins", String.join(",", plugins));
    }

    @Override
    public DriverPlugin driverPlugin() {
        return new Driver();
    }

    /**
     * Logs each event, and when the application ends how many of its tasks were bound to a GPU, per GPU: a task
     * that ran unbound (on ND4J's default device, possibly another task's GPU) shows as a shortfall there.
     */
    static final class Driver implements DriverPlugin {
        private final Set<Long> tasks = ConcurrentHashMap.newKeySet();
        private final Map<Long, String> bound = new ConcurrentHashMap<>();

        @Override
        public Map<String, String> init(SparkContext sc, PluginContext ctx) {
            sc.addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    tasks.add(end.taskInfo().taskId());
                }

                @Override
                public void onApplicationEnd(SparkListenerApplicationEnd end) {
                    LOG.info("device binding: {}", summary());
                }
            });
            return Map.of();
        }

        @Override
        public Object receive(Object message) {
            if (message instanceof Event e) {
                DeviceBinding.Report r = e.report();
                if ("device binding".equals(r.kind()) && r.gpu() != null) {
                    bound.put(r.task(), r.gpu());
                }
                LOG.info("{}: stage {} on executor {}: {}", r.kind(), e.stageId(), e.executorId(), r.text());
            }
            return null;
        }

        /** E.g. "41 of 41 finished task(s) were bound to a GPU (GPU 0: 21, GPU 1: 20)". */
        String summary() {
            Map<String, Long> perGpu = new TreeMap<>();
            long finishedAndBound = tasks.stream().map(bound::get).filter(java.util.Objects::nonNull)
                    .peek(g -> perGpu.merge("GPU " + g, 1L, Long::sum)).count();
            return finishedAndBound + " of " + tasks.size() + " finished task(s) were bound to a GPU ("
                    + perGpu.entrySet().stream().map(x -> x.getKey() + ": " + x.getValue()).collect(Collectors.joining(", ")) + ")";
        }
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                DeviceBinding.reportTo(r -> {
                    TaskContext task = TaskContext.get();
                    try {
                        ctx.send(new Event(task == null ? -1 : task.stageId(), ctx.executorID(), r));
                    } catch (java.io.IOException e) {
                        LOG.warn("{}: could not tell the driver ({}): {}", r.kind(), e.getMessage(), r.text());
                    }
                });
            }

            @Override
            public void onTaskStart() {
                try {
                    DeviceBinding.forCurrentTask();
                } catch (GpuConfigurationException e) {
                    LOG.error("device binding: {}", e.getMessage());
                }
            }
        };
    }
}
