package io.fedlake.train;

import io.fedlake.cli.UserError;
import io.fedlake.eval.BinaryMetrics;
import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.features.stats.TableStatistics;
import io.fedlake.lake.Lake;
import io.fedlake.registry.BuildInfo;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.translate.BatchInference;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

/**
 * One training run end to end: read a pinned snapshot of the table, split train/holdout, compute training-split
 * statistics (stored in {@code features.training_statistics}), fit the preprocessing, train with the configured
 * regime, evaluate on the holdout and register the model version with its provenance.
 */
public final class TrainingJob {

    public static final String STATISTICS_TABLE = "features.training_statistics";
    static final int TOP_CATEGORIES = 100;
    static final int EVALUATION_BATCH = 4096;

    private TrainingJob() {
    }

    public record Outcome(ModelFiles.ModelVersion model, BinaryMetrics holdout, long trainRows, long holdoutRows, long rejectedRows,
                          long inputVersion, double trainSeconds, Preprocessing preprocessing) {
    }

    public static Outcome run(Lake lake, TrainConfig config, Trainer trainer, String modelName, String runId, Consumer<String> progress) {
        Lake.Snapshot input = lake.readLatest(config.table(), "generate it with 'fedlake generate' or ingest it first");
        List<String> needed = new ArrayList<>(config.spec().featureColumns());
        needed.add(config.spec().label());
        needed.add(config.spec().entityKey());
        List<String> missing = needed.stream().filter(c -> !List.of(input.data().columns()).contains(c)).toList();
        if (!missing.isEmpty()) {
            throw UserError.missingColumns(config.table(), missing, List.of(input.data().columns()));
        }
        Dataset<Row> data = input.data().select(needed.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
        Dataset<Row> train = data.where(not(HoldoutSplit.isHoldout(config.spec().entityKey(), config.seed(), config.holdoutFraction())));
        Dataset<Row> holdout = data.where(HoldoutSplit.isHoldout(config.spec().entityKey(), config.seed(), config.holdoutFraction()));

        TableStatistics stats = FeatureStatistics.compute(train, config.spec().numeric(), config.spec().categorical(), TOP_CATEGORIES);
        if (stats.rowCount() == 0) {
            throw new UserError("table " + config.table() + " has no rows in its training split");
        }
        FeatureStatistics.append(lake.spark(), stats, lake.pathOf(STATISTICS_TABLE), runId, config.table(), input.version());
        TabularPreprocessor tabular = PreprocessorFit.fit(stats, config.spec().numeric(), config.spec().categorical());
        Preprocessing pre = new Preprocessing(tabular, null, List.of(config.spec().output()));
        RowTranslator translator = new RowTranslator(pre, data.schema(), true, config.table());
        ComputationGraph initial;
        try {
            initial = Architectures.byName(config.architecture()).build(pre.modelSpec(), config.hyper());
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot build " + config.architecture() + " for table " + config.table() + ": " + e.getMessage());
        }

        LongAccumulator rejected = lake.spark().sparkContext().longAccumulator("rejected training rows");
        String runDir = lake.pathUnder("_runs/" + runId);
        long t0 = System.nanoTime();
        ComputationGraph trained;
        try {
            trained = trainer.train(initial, train, translator, config, rejected, runDir, progress);
        } finally {
            deleteQuietly(lake, runDir);
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        byte[] bytes = NetworkBytes.toBytes(trained, false);
        BinaryMetrics metrics = evaluate(lake, holdout, translator, bytes, config.spec().label(), config.spec().output().name());
        long holdoutRows = holdout.count();

        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("architecture", config.architecture());
        provenance.put("created_at", Instant.now().toString());
        provenance.put("training_run_id", runId);
        provenance.put("training_table", config.table());
        provenance.put("training_table_uri", input.path());
        provenance.put("training_table_version", input.version());
        provenance.put("label", config.spec().label());
        provenance.put("entity_key", config.spec().entityKey());
        provenance.put("numeric_features", config.spec().numeric());
        provenance.put("categorical_features", config.spec().categorical());
        provenance.put("inputs", pre.modelSpec().inputs().stream().map(Object::toString).toList());
        provenance.put("outputs", pre.modelSpec().outputs().stream().map(Object::toString).toList());
        provenance.put("statistics_table", STATISTICS_TABLE);
        Map<String, Object> trainerConfig = new LinkedHashMap<>();
        trainerConfig.put("regime", trainer.regime());
        trainerConfig.put("epochs", config.epochs());
        trainerConfig.put("batch_size", config.batchSize());
        trainerConfig.put("averaging_frequency", config.averagingFrequency());
        trainerConfig.put("prefetch_batches", config.prefetchBatches());
        trainerConfig.put("workers", config.workers());
        trainerConfig.put("holdout_fraction", config.holdoutFraction());
        trainerConfig.put("hidden_layers", config.hyper().hiddenLayers());
        trainerConfig.put("dropout", config.hyper().dropout());
        trainerConfig.put("learning_rate", config.hyper().learningRate());
        trainerConfig.put("l2", config.hyper().l2());
        provenance.put("trainer", trainerConfig);
        provenance.put("seed", config.seed());
        provenance.put("spark_master", lake.spark().sparkContext().master());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("holdout_auc", metrics.auc());
        m.put("holdout_accuracy", metrics.accuracy());
        m.put("holdout_log_loss", metrics.logLoss());
        m.put("holdout_rows", metrics.rows());
        m.put("holdout_positive_rate", metrics.positiveRate());
        m.put("rejected_training_rows", rejected.value());
        provenance.put("metrics", m);
        provenance.put("build", BuildInfo.describe(lake.spark().version()));
        ModelFiles.ModelVersion saved = new ModelRegistry(lake).register(modelName, runId, bytes, pre, provenance);
        return new Outcome(saved, metrics, stats.rowCount(), holdoutRows, rejected.value(), input.version(), trainSeconds, pre);
    }

    /** Scores {@code holdout} with the shared batched inference and computes binary metrics on the executors. */
    public static BinaryMetrics evaluate(Lake lake, Dataset<Row> holdout, RowTranslator translator, byte[] network, String label, String output) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(network);
        BatchInference inference = new BatchInference(translator, model, NetworkBytes.sha256(network), EVALUATION_BATCH,
                new int[]{holdout.schema().fieldIndex(label)});
        try {
            Dataset<Row> scored = lake.spark().createDataFrame(holdout.javaRDD().mapPartitions(inference::apply), inference.outputSchema(holdout.schema()));
            return BinaryMetrics.compute(scored.where(col(BatchInference.REASON).isNull()), label, output, 0.5);
        } finally {
            model.destroy();
        }
    }

    private static void deleteQuietly(Lake lake, String dir) {
        try {
            lake.fileSystem().delete(new Path(dir), true);
        } catch (IOException e) {
            System.err.println("fedlake: warning: could not delete run directory " + dir + ": " + e.getMessage());
        }
    }
}
