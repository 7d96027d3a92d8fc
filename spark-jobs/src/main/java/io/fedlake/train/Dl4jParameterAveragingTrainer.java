package io.fedlake.train;

import io.fedlake.gpu.DeviceBinding;
import io.fedlake.gpu.DeviceMemory;
import io.fedlake.translate.Minibatches;
import io.fedlake.translate.RowTranslator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.util.ExportSupport;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.function.Consumer;

/**
 * {@code dl4j-paramavg}: Deeplearning4j Spark's {@link ParameterAveragingTrainingMaster}. Each worker fits
 * {@code averagingFrequency} minibatches of {@code batchSize}, then parameters and updater state are averaged on
 * the driver (SparkComputationGraph, so single- and multi-input models train alike). Minibatches
 * ({@code MultiDataSet}) are built per partition by the shared translator; dl4j-spark's Export approach writes
 * them under the run directory, which is deleted afterwards (its Direct approach where dl4j-spark refuses Export:
 * a cluster master with a local default file system). After every epoch the model is evaluated on the holdout
 * and the epoch is logged to {@code training.rounds} like a round of Fedlake's own regimes, so they can be compared;
 * under early stopping it is evaluated on the validation rows instead and the best epoch's parameters are returned.
 */
public final class Dl4jParameterAveragingTrainer implements Trainer {

    public static final String REGIME = "dl4j-paramavg";

    private final StorageLevel storageLevel;
    private final Repartition repartition;

    /** dl4j-spark's defaults here: minibatches kept serialised in memory, repartitioned before every fit. */
    public Dl4jParameterAveragingTrainer() {
        this(StorageLevel.MEMORY_ONLY_SER(), Repartition.Always);
    }

    /**
     * @param storageLevel how dl4j-spark persists the minibatch RDD
     * @param repartition  when dl4j-spark repartitions the minibatches over the workers before fitting
     */
    public Dl4jParameterAveragingTrainer(StorageLevel storageLevel, Repartition repartition) {
        this.storageLevel = storageLevel;
        this.repartition = repartition;
    }

    /** Parses {@code --storage-level} (a Spark storage level name, e.g. MEMORY_AND_DISK_SER) and {@code --repartition}. */
    public static Dl4jParameterAveragingTrainer of(String storageLevel, String repartition) {
        StorageLevel level;
        try {
            level = StorageLevel.fromString(storageLevel.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown storage level '" + storageLevel + "'; e.g. MEMORY_ONLY_SER, MEMORY_AND_DISK_SER, DISK_ONLY");
        }
        Repartition r = java.util.Arrays.stream(Repartition.values()).filter(v -> v.name().equalsIgnoreCase(repartition)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown repartition '" + repartition + "'; one of "
                        + java.util.Arrays.toString(Repartition.values())));
        return new Dl4jParameterAveragingTrainer(level, r);
    }

    @Override
    public String regime() {
        return REGIME;
    }

    @Override
    public ComputationGraph train(ComputationGraph network, Dataset<Row> rows, RowTranslator translator, TrainConfig config, TrainingContext ctx) {
        LocalFit.taskThreads();
        LongAccumulator rejected = ctx.rejected();
        Consumer<String> progress = ctx.progress();
        if (ctx.resume()) {
            throw new IllegalArgumentException(REGIME + " cannot resume (dl4j-spark keeps no checkpoints); use --regime paramavg or fedavg");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        int workers = config.workers() > 0 ? config.workers() : jsc.defaultParallelism();
        int batch = config.batchSize();
        // dl4j-spark's workers are bound to their GPUs by DeviceBindingPlugin; the batch is checked against a GPU's
        // memory here, in the export tasks, before any worker fits (the need is computed once, on the driver).
        DeviceMemory.Need need = DeviceMemory.need(network.getConfiguration(), translator.newBatch(1).features(), MemoryUseMode.TRAINING);
        JavaRDD<MultiDataSet> batches = rows.javaRDD().mapPartitions(it -> {
            DeviceMemory.checkTrainingBatch(DeviceBinding.forCurrentTask(), () -> need, batch);
            return new Minibatches(it, translator, batch, rejected);
        });

        // Export (minibatches written to files, then read by the workers) is dl4j-spark's default, but it refuses a
        // cluster master whose default file system is the local one, even where every JVM shares it (local-cluster, a
        // one-machine standalone cluster): there its Direct approach (minibatches as a Spark RDD) is the one that runs.
        RDDTrainingApproach approach = ExportSupport.exportSupported(jsc) ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct;
        if (approach == RDDTrainingApproach.Direct) {
            progress.accept("dl4j-spark: Direct approach (the master " + jsc.master() + " is a cluster and the default file system is local)");
        }
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(config.averagingFrequency())
                .workerPrefetchNumBatches(config.prefetchBatches())
                .rddTrainingApproach(approach)
                .exportDirectory(ctx.runDir() + "/dl4j-export")
                .repartionData(repartition)
                .storageLevel(storageLevel)
                .saveUpdater(true)
                .rngSeed(config.seed())
                .build();
        SparkComputationGraph spark = new SparkComputationGraph(jsc, network, master);
        HeldOutEvaluation evaluation = new HeldOutEvaluation(jsc, network, translator, ctx.holdout(), "epoch evaluation");
        try (RoundLog log = new RoundLog(ctx, REGIME, null, config.epochs())) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long t0 = System.nanoTime();
                spark.fitMultiDataSet(batches);
                long e0 = System.nanoTime();
                float[] params = spark.getNetwork().params().dup().data().asFloat();
                RoundMetrics metrics = evaluation.evaluate(params);
                long e1 = System.nanoTime();
                log.record(new RoundLog.Round(epoch, epoch, 1, spark.getScore(), metrics, workers, workers, 0, 0, null, null,
                        (e1 - t0) / 1e9, (e1 - e0) / 1e9, java.util.List.of()));
                if (ctx.stopping() != null && ctx.stopping().observe(epoch, epoch, metrics, params)) {
                    break;
                }
            }
        } finally {
            master.deleteTempFiles(jsc);
            evaluation.close();
        }
        ComputationGraph trained = spark.getNetwork();
        if (ctx.stopping() != null && ctx.stopping().best() != null) {
            trained.setParams(org.nd4j.linalg.factory.Nd4j.create(ctx.stopping().best()));   // the best epoch's, not the last
        }
        return trained;
    }
}
