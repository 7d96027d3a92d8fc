package io.fedlake.gpu;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What {@code fedlake gpu-check} measures: ND4J's backend and devices, the GPU resources Spark gave the application
 * and each executor, the RAPIDS Accelerator's state, and per task slot the {@link DeviceBinding} and a tiny forward
 * pass (MLP 20-64-32-2, FP32, batch {@value #BATCH}) timed on the device the task was bound to.
 */
public final class GpuProbe {

    public static final int BATCH = 4096;

    private GpuProbe() {
    }

    /** One executor as the application's status store sees it. */
    public record ExecutorGpus(String id, String hostPort, int cores, List<String> gpus) {
    }

    /** One probe task: its binding, where it ran, and the median time of its forward pass. */
    public record TaskReport(DeviceBinding.Binding binding, String executorId, String host, double forwardMillis) implements Serializable {
    }

    /** ND4J's devices in this JVM: CUDA devices with name, memory and compute capability, or the CPU. */
    @SuppressWarnings("unchecked")
    public static List<String> nd4jDevices() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        List<String> out = new ArrayList<>();
        Object devices = env.get("cuda.devicesInformation");
        if (devices instanceof List<?> list && !list.isEmpty()) {
            for (int i = 0; i < list.size(); i++) {
                Map<String, Object> d = (Map<String, Object>) list.get(i);
                out.add(String.format(java.util.Locale.ROOT, "%d: %s, %.1f GiB (%.1f free), compute capability %s.%s", i, d.get("cuda.deviceName"),
                        gib(d.get("cuda.totalMemory")), gib(d.get("cuda.freeMemory")), d.get("cuda.deviceMajor"), d.get("cuda.deviceMinor")));
            }
            return out;
        }
        out.add("CPU: " + env.getOrDefault("cores", Runtime.getRuntime().availableProcessors()) + " cores, BLAS "
                + env.getOrDefault("blas.vendor", "?") + ", " + Nd4j.getAffinityManager().getNumberOfDevices() + " ND4J device(s)");
        return out;
    }

    private static double gib(Object bytes) {
        return bytes instanceof Number n ? n.doubleValue() / (1L << 30) : Double.NaN;
    }

    /** Median milliseconds of a forward pass over {@value #BATCH} rows on the calling thread's ND4J device. */
    public static double forwardMillis() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(64).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(2).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 20);
        double[] ms = new double[7];
        for (int i = -2; i < ms.length; i++) {
            long t = System.nanoTime();
            INDArray y = net.output(x);
            y.getFloat(0); // waits for the device
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /** The executors (and the driver) with their cores and GPU addresses, from Spark's status store. */
    public static List<ExecutorGpus> executors(SparkContext sc) {
        List<ExecutorGpus> out = new ArrayList<>();
        for (ExecutorSummary e : JavaConverters.seqAsJavaList(sc.statusStore().executorList(true))) {
            ResourceInformation gpu = JavaConverters.mapAsJavaMap(e.resources()).get("gpu");
            out.add(new ExecutorGpus(e.id(), e.hostPort(), e.totalCores(), gpu == null ? List.of() : List.of(gpu.addresses())));
        }
        return out;
    }

    /** The task slots of the default resource profile, once executors have registered (waits up to {@code waitMillis}). */
    public static int slots(SparkContext sc, long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        int last = -1;
        long stableSince = System.currentTimeMillis();
        while (true) {
            int n = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
            if (n != last) {
                last = n;
                stableSince = System.currentTimeMillis();
            }
            if (n > 0 && (sc.isLocal() || System.currentTimeMillis() - stableSince >= 3000) || System.currentTimeMillis() > deadline) {
                return n;
            }
            Thread.sleep(250);
        }
    }

    /**
     * Runs one probe task per slot as a barrier stage, so all of them hold their resources at once (concurrent tasks
     * get distinct GPU addresses when each takes a whole GPU): each binds itself and times a forward pass.
     */
    public static List<TaskReport> probeTasks(SparkSession spark, int slots) {
        scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<TaskReport>> probe =
                (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<TaskReport>> & Serializable) GpuProbe::probe;
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            seeds.add(i);
        }
        org.apache.spark.rdd.RDD<Integer> rdd = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(seeds, slots).rdd();
        Object collected = rdd.barrier().mapPartitions(probe, false, ClassTag$.MODULE$.apply(TaskReport.class)).collect();
        List<TaskReport> out = new ArrayList<>(Arrays.asList((TaskReport[]) collected));
        out.sort(java.util.Comparator.comparingInt(r -> r.binding().partition()));
        return out;
    }

    private static scala.collection.Iterator<TaskReport> probe(scala.collection.Iterator<Integer> ignored) {
        DeviceBinding.Binding b = DeviceBinding.forCurrentTask();
        BarrierTaskContext.get().barrier(); // every slot is bound before any forward pass
        double ms = forwardMillis();
        TaskContext t = TaskContext.get();
        String executor = org.apache.spark.SparkEnv.get().executorId();
        String host = t == null ? "?" : BarrierTaskContext.get().getTaskInfos()[t.partitionId()].address();
        return JavaConverters.asScalaIterator(List.of(new TaskReport(b, executor, host, ms)).iterator());
    }

    /** The RAPIDS Accelerator: whether spark.plugins loads it, its mode and version. */
    public static Map<String, String> rapids(org.apache.spark.SparkConf conf) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean configured = Arrays.stream(conf.get("spark.plugins", "").split(",")).map(String::trim).anyMatch("com.nvidia.spark.SQLPlugin"::equals);
        boolean loadable;
        try {
            Class.forName("com.nvidia.spark.SQLPlugin", false, Thread.currentThread().getContextClassLoader());
            loadable = true;
        } catch (ClassNotFoundException e) {
            loadable = false;
        }
        out.put("configured", String.valueOf(configured));
        out.put("onClasspath", String.valueOf(loadable));
        out.put("sql.enabled", conf.get("spark.rapids.sql.enabled", "true"));
        out.put("mode", conf.get("spark.rapids.sql.mode", "executeongpu"));
        if (loadable) {
            try (java.io.InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("rapids4spark-version-info.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    out.put("version", p.getProperty("version", "?"));
                }
            } catch (java.io.IOException e) {
                out.put("version", "unreadable: " + e.getMessage());
            }
        }
        return out;
    }
}
