package io.fedlake.train;

import io.fedlake.core.UserError;
import io.fedlake.eval.BinaryMetrics;
import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.features.stats.TableStatistics;
import io.fedlake.lake.Lake;
import io.fedlake.registry.BuildInfo;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.translate.BatchInference;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.image.ImagePreprocessor;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
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
import static io.fedlake.core.TableNames.QUARANTINE_REASON;

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

    /**
     * @param holdout metrics of the first binary output (null when the model has none)
     * @param metrics every holdout metric by name, e.g. holdout_auc, holdout_p_defect_type_accuracy
     * @param confusion each softmax output's holdout confusion matrix, by output name
     */
    public record Outcome(ModelFiles.ModelVersion model, BinaryMetrics holdout, Map<String, Double> metrics, long trainRows, long holdoutRows,
                          long rejectedRows, long inputVersion, double trainSeconds, Preprocessing preprocessing,
                          Map<String, MulticlassMetrics.Confusion> confusion) {
    }

    /** Larger encoded image files are rejected. */
    static final long MAX_IMAGE_BYTES = 4L << 20;

    public static Outcome run(Lake lake, TrainConfig config, Trainer trainer, String modelName, String runId, Consumer<String> progress) {
        return run(lake, config, trainer, modelName, runId, false, progress);
    }

    /** @param resume continue run {@code runId} from its latest checkpoint (Fedlake's own regimes) */
    public static Outcome run(Lake lake, TrainConfig config, Trainer trainer, String modelName, String runId, boolean resume,
                              Consumer<String> progress) {
        return run(lake, config, trainer, modelName, runId, resume, false, progress);
    }

    /**
     * @param baseline also fit the {@link Baseline} on the same features and split; its metrics ({@code baseline_*})
     *                 are recorded beside the network's
     */
    public static Outcome run(Lake lake, TrainConfig config, Trainer trainer, String modelName, String runId, boolean resume, boolean baseline,
                              Consumer<String> progress) {
        return run(lake, config, trainer, modelName, runId, new RunOptions(resume, baseline, java.util.Set.of()), progress);
    }

    /**
     * How a run adapts to its table, beyond its configuration.
     *
     * @param resume   continue run {@code runId} from its latest checkpoint (Fedlake's own regimes)
     * @param baseline also fit the {@link Baseline} on the same features and rows; its metrics ({@code baseline_*}) are
     *                 recorded beside the network's
     * @param sized    the settings to choose from the number of training rows, by option name: {@code --epochs}
     *                 ({@link #sizedEpochs}), {@code --batch-size} ({@link #sizedBatch}, at most the configured one),
     *                 {@code --hidden} (a tabular class label under {@value #SMALL_TABLE_ROWS} training rows gets one hidden
     *                 layer of {@value #SMALL_TABLE_HIDDEN} units and dropout {@value #SMALL_TABLE_DROPOUT}; a regression keeps
     *                 its layers and has no dropout), and what the regime's
     *                 settings size ({@link RegimeSettings#sizedTo})
     */
    public record RunOptions(boolean resume, boolean baseline, java.util.Set<String> sized) {
        public RunOptions {
            sized = java.util.Set.copyOf(sized);
        }
    }

    public static Outcome run(Lake lake, TrainConfig config, Trainer trainer, String modelName, String runId, RunOptions options,
                              Consumer<String> progress) {
        Lake.Snapshot input = lake.readLatest(config.table(), "generate it with 'fedlake generate' or ingest it first");
        Dataset<Row> data = columnsRead(input, config);
        Split split = splitHoldout(data, config);
        TableStatistics stats = recordTrainingStatistics(lake, split.train(), config, runId, input.version());
        config = sizedTo(config, stats.rowCount(), options, progress);
        Preprocessing pre = fitPreprocessing(stats, config, split.train());
        RowTranslator translator = new RowTranslator(pre, data.schema(), true, config.table());
        ComputationGraph initial = buildNetwork(pre, config);

        LongAccumulator rejected = lake.spark().sparkContext().longAccumulator("rejected training rows");
        EarlyStopping.Tracker stopping = config.earlyStopping() == null ? null : config.earlyStopping().tracker();
        TrainingContext context = new TrainingContext(lake, runId, modelName, lake.pathUnder("_runs/" + runId),
                split.validation() != null ? split.validation() : split.holdout(), options.resume(), rejected, progress, stopping);
        Trained trained = trainInRunDirectory(trainer, initial, split.train(), translator, config, context);

        byte[] bytes = NetworkBytes.toBytes(trained.network(), false);
        Evaluation evaluation = evaluate(lake, split.holdout(), translator, bytes);
        if (options.baseline()) {
            evaluation = withBaseline(evaluation, split, config, progress);
        }
        long holdoutRows = split.holdout().count();
        Map<String, Object> provenance = provenance(lake, config, trainer, runId, input, pre, evaluation, holdoutRows, rejected);
        if (stopping != null) {
            progress.accept(stopping.describe());
            provenance.put("early_stopping", stopping.report(config.earlyStopping().validationFraction()));
        }
        ModelFiles.ModelVersion saved = new ModelRegistry(lake).register(modelName, runId, bytes, pre, provenance);
        return new Outcome(saved, evaluation.primary(), evaluation.metrics(), stats.rowCount(), holdoutRows, rejected.value(), input.version(),
                trained.seconds(), pre, evaluation.confusion());
    }

    /** Examples a run sized to its table aims to fit, over all epochs (small tables get more epochs, up to {@link #MAX_SIZED_EPOCHS}). */
    static final long SIZED_EXAMPLES = 40_000;
    static final int MIN_SIZED_EPOCHS = 3;
    static final int MAX_SIZED_EPOCHS = 50;
    static final int MIN_SIZED_BATCH = 16;
    static final int SMALL_TABLE_ROWS = 2_000;
    static final int SMALL_TABLE_HIDDEN = 16;
    static final double SMALL_TABLE_DROPOUT = 0.2;

    /** ⌈{@value #SIZED_EXAMPLES} / rows⌉ epochs, within [{@value #MIN_SIZED_EPOCHS}, {@value #MAX_SIZED_EPOCHS}]. */
    public static int sizedEpochs(long rows) {
        return (int) Math.max(MIN_SIZED_EPOCHS, Math.min(MAX_SIZED_EPOCHS, (SIZED_EXAMPLES + rows - 1) / Math.max(1, rows)));
    }

    /**
     * The largest power of two ≤ rows / 50 — about 50 minibatches per epoch, so a few hundred rows still get tens of
     * optimiser steps — within [{@value #MIN_SIZED_BATCH}, {@code most}].
     */
    public static int sizedBatch(long rows, int most) {
        long b = Long.highestOneBit(Math.max(1, rows / 50));
        return (int) Math.max(Math.min(MIN_SIZED_BATCH, most), Math.min(most, b));
    }

    private static TrainConfig sizedTo(TrainConfig config, long rows, RunOptions options, Consumer<String> progress) {
        java.util.Set<String> sized = options.sized();
        List<String> changes = new ArrayList<>();
        boolean regression = config.spec().outputs().stream().anyMatch(ModelSpec.Output::regression);
        if (sized.contains("--hidden") && regression && config.hyper().dropout() > 0) {
            // dropout perturbs a linear output's scale: on a 587-row fixture RMSE 31.5k with 0.2, 21.4k without
            ModelHyperParams h = config.hyper();
            config = config.withHyper(new ModelHyperParams(h.hiddenLayers(), 0, h.learningRate(), h.l2(), h.seed(), h.updater()));
            changes.add("no dropout (a regression)");
        } else if (sized.contains("--hidden") && !regression && config.spec().imageColumn() == null && rows < SMALL_TABLE_ROWS) {
            // a few hundred rows overfit two layers of 64 and 32 units within an epoch or two
            ModelHyperParams h = config.hyper();
            config = config.withHyper(new ModelHyperParams(List.of(SMALL_TABLE_HIDDEN), SMALL_TABLE_DROPOUT, h.learningRate(), h.l2(), h.seed(), h.updater()));
            changes.add(String.format("one hidden layer of %d units, dropout %.1f", SMALL_TABLE_HIDDEN, SMALL_TABLE_DROPOUT));
        }
        if (sized.contains("--epochs") || sized.contains("--batch-size")) {
            int epochs = sized.contains("--epochs") ? sizedEpochs(rows) : config.epochs();
            int batch = sized.contains("--batch-size") ? sizedBatch(rows, config.batchSize()) : config.batchSize();
            config = config.withSize(epochs, batch);
            if (sized.contains("--epochs")) {
                changes.add("up to " + epochs + " epochs");
            }
            if (sized.contains("--batch-size")) {
                changes.add("minibatches of " + batch);
            }
        }
        if (config.regimeSettings() != null) {
            config = config.withRegimeSettings(config.regimeSettings().sizedTo(rows, sized, changes));
        }
        if (!changes.isEmpty()) {
            progress.accept(String.format("sized to %,d training rows: %s%s", rows, String.join(", ", changes), config.earlyStopping() == null ? ""
                    : ", stopping after " + config.earlyStopping().patience() + " evaluations without improvement"));
        }
        return config;
    }

    /** The evaluation with the baseline's metrics added, or a line saying why there is none. */
    private static Evaluation withBaseline(Evaluation evaluation, Split split, TrainConfig config, Consumer<String> progress) {
        String why = Baseline.notApplicable(config.spec());
        if (why != null) {
            progress.accept("no baseline: " + why);
            return evaluation;
        }
        Map<String, Double> metrics = new LinkedHashMap<>(evaluation.metrics());
        metrics.putAll(Baseline.fitAndEvaluate(split.train(), split.holdout(), config.spec()));
        return new Evaluation(evaluation.primary(), metrics, evaluation.confusion());
    }

    /**
     * The rows the network is fit on, the deterministic holdout and, under early stopping, the validation rows carved
     * from the training split (null otherwise); all with the columns the model reads.
     */
    private record Split(Dataset<Row> train, Dataset<Row> holdout, Dataset<Row> validation) {
    }

    /** The trained network and the seconds its regime took. */
    private record Trained(ComputationGraph network, double seconds) {
    }

    /** The columns the model reads (and a federated run's client column); a missing one is reported before any pass over the data. */
    private static Dataset<Row> columnsRead(Lake.Snapshot input, TrainConfig config) {
        List<String> needed = new ArrayList<>(config.spec().columnsRead());
        if (config.regimeSettings() != null) {
            config.regimeSettings().columnsRead().stream().filter(c -> !needed.contains(c)).forEach(needed::add);
        }
        List<String> missing = needed.stream().filter(c -> !List.of(input.data().columns()).contains(c)).toList();
        if (!missing.isEmpty()) {
            throw UserError.missingColumns(config.table(), missing, List.of(input.data().columns()));
        }
        List<String> unsafe = needed.stream().filter(c -> !io.fedlake.core.ColumnNames.isSafe(c)).toList();
        if (!unsafe.isEmpty()) {
            throw new UserError("table " + config.table() + " has column names that do not work in Spark column references and SQL: " + unsafe
                    + "; land it with 'fedlake ingest', which renames them (e.g. " + unsafe.get(0) + " → " + io.fedlake.core.ColumnNames.safe(unsafe.get(0)) + ")");
        }
        return input.data().select(needed.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
    }

    /** Added to the seed for the validation split's key hash, independent of the holdout's. */
    public static final long VALIDATION_SEED = 0x5EED_0F_7A11L;

    private static Split splitHoldout(Dataset<Row> data, TrainConfig config) {
        String key = config.spec().entityKey();
        Dataset<Row> train = data.where(not(HoldoutSplit.isHoldout(key, config.seed(), config.holdoutFraction())));
        Dataset<Row> holdout = data.where(HoldoutSplit.isHoldout(key, config.seed(), config.holdoutFraction()));
        if (config.earlyStopping() == null) {
            return new Split(train, holdout, null);
        }
        // an independent hash (another seed) picks the validation rows among the training rows
        Column validation = HoldoutSplit.isHoldout(key, config.seed() + VALIDATION_SEED, config.earlyStopping().validationFraction());
        return new Split(train.where(not(validation)), holdout, train.where(validation));
    }

    /** Statistics of the training split only, appended to {@link #STATISTICS_TABLE} under this run. */
    private static TableStatistics recordTrainingStatistics(Lake lake, Dataset<Row> train, TrainConfig config, String runId, long inputVersion) {
        TableStatistics stats = FeatureStatistics.compute(train, config.spec().numeric(), config.spec().categorical(), TOP_CATEGORIES);
        if (stats.rowCount() == 0) {
            throw new UserError("table " + config.table() + " has no rows in its training split");
        }
        FeatureStatistics.append(lake.spark(), stats, lake.pathOf(STATISTICS_TABLE), runId, config.table(), inputVersion);
        return stats;
    }

    private static Preprocessing fitPreprocessing(TableStatistics stats, TrainConfig config, Dataset<Row> train) {
        boolean tabularFeatures = !config.spec().numeric().isEmpty() || !config.spec().categorical().isEmpty();
        TabularPreprocessor tabular = tabularFeatures ? PreprocessorFit.fit(stats, config.spec().numeric(), config.spec().categorical()) : null;
        ImagePreprocessor image = config.spec().imageColumn() == null ? null
                : new ImagePreprocessor(config.spec().imageColumn(), 1, config.spec().imageHeight(), config.spec().imageWidth(), MAX_IMAGE_BYTES,
                config.spec().standardizeImages());
        List<ModelSpec.Output> outputs = config.spec().outputs().stream().map(o -> o.regression() ? o.withTarget(fitTarget(train, o, config.table())) : o).toList();
        return new Preprocessing(tabular, image, outputs);
    }

    /** A regression label's mean and (population) standard deviation over the training rows with a finite label. */
    static ModelSpec.Target fitTarget(Dataset<Row> train, ModelSpec.Output o, String table) {
        org.apache.spark.sql.types.DataType type = train.schema().apply(o.column()).dataType();
        if (!(type instanceof org.apache.spark.sql.types.NumericType)) {
            throw new UserError("label column " + o.column() + " of " + table + " is " + type.simpleString() + ": a regression label must be numeric");
        }
        Column y = col(o.column()).cast("double");
        Row r = train.where(y.isNotNull().and(not(functions.isnan(y)))).agg(functions.avg(y), functions.stddev_pop(y)).head();
        if (r.isNullAt(0) || r.isNullAt(1) || !(r.getDouble(1) > 0)) {
            throw new UserError("label column " + o.column() + " of " + table + " has " + (r.isNullAt(0) ? "no value" : "one value (" + r.getDouble(0) + ")")
                    + " in its training split: nothing to learn");
        }
        return new ModelSpec.Target(r.getDouble(0), r.getDouble(1));
    }

    private static ComputationGraph buildNetwork(Preprocessing pre, TrainConfig config) {
        try {
            return Architectures.byName(config.architecture()).build(pre.modelSpec(), config.hyper());
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot build " + config.architecture() + " for table " + config.table() + ": " + e.getMessage());
        }
    }

    /**
     * Trains with the regime; the run directory is deleted afterwards, unless the regime failed after writing
     * checkpoints, which are kept for {@code --resume}.
     */
    private static Trained trainInRunDirectory(Trainer trainer, ComputationGraph initial, Dataset<Row> train, RowTranslator translator,
                                               TrainConfig config, TrainingContext context) {
        Lake lake = context.lake();
        long t0 = System.nanoTime();
        ComputationGraph trained;
        try {
            trained = trainer.train(initial, train, translator, config, context);
        } catch (RuntimeException e) {
            if (checkpointsExist(lake, context.checkpointDir())) {
                System.err.println("fedlake: checkpoints of run " + context.runId() + " kept under " + context.checkpointDir()
                        + "; continue with --resume " + context.runId());
            } else {
                deleteQuietly(lake, context.runDir());
            }
            throw e;
        }
        deleteQuietly(lake, context.runDir());
        return new Trained(trained, (System.nanoTime() - t0) / 1e9);
    }

    /** The model version's provenance: where its data came from, how it was trained, and its holdout metrics. */
    private static Map<String, Object> provenance(Lake lake, TrainConfig config, Trainer trainer, String runId, Lake.Snapshot input,
                                                  Preprocessing pre, Evaluation evaluation, long holdoutRows, LongAccumulator rejected) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("architecture", config.architecture());
        provenance.put("created_at", Instant.now().toString());
        provenance.put("training_run_id", runId);
        provenance.put("training_table", config.table());
        provenance.put("training_table_uri", input.path());
        provenance.put("training_table_version", input.version());
        provenance.put("labels", config.spec().labelColumns());
        provenance.put("image_column", config.spec().imageColumn());
        provenance.put("entity_key", config.spec().entityKey());
        provenance.put("numeric_features", config.spec().numeric());
        provenance.put("categorical_features", config.spec().categorical());
        provenance.put("inputs", pre.modelSpec().inputs().stream().map(Object::toString).toList());
        provenance.put("outputs", pre.modelSpec().outputs().stream().map(Object::toString).toList());
        provenance.put("statistics_table", STATISTICS_TABLE);
        provenance.put("feature_views", featureViews(lake, config.table(), input.version()));
        provenance.put("trainer", trainerSettings(config, trainer));
        provenance.put("seed", config.seed());
        provenance.put("differential_privacy", trainer.report().get("differential_privacy"));
        provenance.put("spark_master", lake.spark().sparkContext().master());
        Map<String, Object> m = new LinkedHashMap<>(evaluation.metrics());
        m.put("holdout_rows", holdoutRows);
        m.put("rejected_training_rows", rejected.value());
        provenance.put("metrics", m);
        if (!evaluation.confusion().isEmpty()) {
            Map<String, Object> matrices = new LinkedHashMap<>();
            evaluation.confusion().forEach((output, c) -> matrices.put(output, Map.of("classes", c.classes(), "counts_true_by_predicted",
                    java.util.Arrays.stream(c.counts()).map(row -> java.util.Arrays.stream(row).boxed().toList()).toList())));
            provenance.put("holdout_confusion", matrices);
        }
        provenance.put("build", BuildInfo.describe(lake.spark().version()));
        return provenance;
    }

    /** The regime and its settings, then what the regime reports about its run. */
    private static Map<String, Object> trainerSettings(TrainConfig config, Trainer trainer) {
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
        trainerConfig.put("updater", config.hyper().updater());
        if (config.regimeSettings() != null) {
            trainerConfig.put(config.regimeSettings().provenanceKey(), config.regimeSettings().toString());
        }
        trainerConfig.put("eval_every", config.evalEvery());
        trainerConfig.put("checkpoint_every", config.checkpointEvery());
        trainerConfig.putAll(trainer.report());
        return trainerConfig;
    }

    /** Holdout metrics: the first binary output's in {@link #primary}, every output's by name, each softmax output's confusion matrix. */
    public record Evaluation(BinaryMetrics primary, Map<String, Double> metrics, Map<String, MulticlassMetrics.Confusion> confusion) {
    }

    /**
     * Scores {@code holdout} with the shared batched inference and computes, on the executors, AUC / accuracy /
     * log loss for each binary output, accuracy / log loss / macro-F1 / one-vs-rest AUC for each multi-class output and
     * RMSE / MAE / R² for each regression. The first binary output's metrics, and the first regression's, are also
     * reported without the output name ({@code holdout_auc}, {@code holdout_rmse}, …) for gates and listings.
     */
    public static Evaluation evaluate(Lake lake, Dataset<Row> holdout, RowTranslator translator, byte[] network) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(network);
        List<ModelSpec.Output> outputs = translator.spec().outputs();
        List<String> labels = outputs.stream().map(ModelSpec.Output::column).distinct().toList();
        Dataset<Row> scored = scoreHoldout(holdout, labels, translator, model, NetworkBytes.sha256(network)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, Double> metrics = new LinkedHashMap<>();
            Map<String, MulticlassMetrics.Confusion> confusion = new LinkedHashMap<>();
            BinaryMetrics primary = null;
            for (ModelSpec.Output o : outputs) {
                String prefix = "holdout_" + o.name() + "_";
                if (o.binary()) {
                    BinaryMetrics b = BinaryMetrics.compute(withPositiveIndicator(scored, o), POSITIVE, o.name(), 0.5);
                    metrics.put(prefix + "auc", b.auc());
                    metrics.put(prefix + "accuracy", b.accuracy());
                    metrics.put(prefix + "log_loss", b.logLoss());
                    if (primary == null) {
                        primary = b;
                        metrics.put("holdout_auc", b.auc());
                        metrics.put("holdout_accuracy", b.accuracy());
                        metrics.put("holdout_log_loss", b.logLoss());
                        metrics.put("holdout_positive_rate", b.positiveRate());
                    }
                } else if (o.regression()) {
                    Map<String, Double> r = RegressionHoldoutMetrics.compute(scored, o, o.name(), prefix);
                    metrics.putAll(r);
                    if (!metrics.containsKey("holdout_rmse")) {
                        r.forEach((name, v) -> metrics.put("holdout_" + name.substring(prefix.length()), v));
                    }
                } else {
                    MulticlassMetrics.Result r = MulticlassMetrics.compute(scored, o, prefix);
                    metrics.putAll(r.metrics());
                    confusion.put(o.name(), r.confusion());
                }
            }
            return new Evaluation(primary, metrics, confusion);
        } finally {
            scored.unpersist();
            model.destroy();
        }
    }

    /**
     * The holdout rows the translator can encode: columns {@code keep}, then one per model output (named after it: a
     * binary output's probability of its positive class, a regression's prediction), scored by the batched inference
     * every evaluation and scoring run uses. {@code fedlake report} recomputes a registered model's holdout scores with
     * it, so its curves are those of the registered metrics.
     *
     * @param holdout rows with the columns the model reads and {@code keep} (labels, and whatever the caller groups by)
     */
    public static Dataset<Row> scoreHoldout(Dataset<Row> holdout, List<String> keep, RowTranslator translator, Broadcast<byte[]> network, String sha256) {
        int[] passthrough = keep.stream().mapToInt(c -> holdout.schema().fieldIndex(c)).toArray();
        BatchInference inference = new BatchInference(translator, network, sha256, EVALUATION_BATCH, passthrough);
        return holdout.mapPartitions((org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) inference::apply,
                        org.apache.spark.sql.Encoders.row(inference.outputSchema(holdout.schema())))
                .where(col(QUARANTINE_REASON).isNull());
    }

    static final String POSITIVE = "__positive";

    /** 1 where the row's label is the output's positive class (its second), 0 for the other, null without a label. */
    static Dataset<Row> withPositiveIndicator(Dataset<Row> scored, ModelSpec.Output o) {
        return scored.withColumn(POSITIVE, classIndex(col(o.column()), o));
    }

    /**
     * A label value's class index in the output's class order (0-based, as a double), null for a missing label or
     * one outside the classes. Compared as the translator compares: a 0/1 output reads numbers and booleans as 0/1.
     */
    public static Column classIndex(Column label, ModelSpec.Output o) {
        Column text = o.classes().equals(List.of("0", "1")) ? label.cast("double").cast("long").cast("string") : label.cast("string");
        Column position = functions.array_position(functions.array(o.classes().stream().map(functions::lit).toArray(Column[]::new)), text);
        return functions.when(label.isNull().or(position.equalTo(0)), functions.lit(null).cast("double")).otherwise(position.minus(1).cast("double"));
    }

    /**
     * When the training table is a feature-store training set, the feature views and their Delta versions it was
     * built from (so the training data can be re-read exactly with time travel); otherwise an empty map.
     */
    static Map<String, Long> featureViews(Lake lake, String table, long version) {
        if (!lake.exists(io.fedlake.features.store.FeatureStore.TRAINING_SETS_TABLE)) {
            return Map.of();
        }
        io.fedlake.features.store.FeatureStore store = new io.fedlake.features.store.FeatureStore(lake.spark(), lake::pathOf, null);
        try {
            return io.fedlake.features.store.TrainingSets.recordedVersions(store, table, version);
        } catch (IllegalArgumentException notATrainingSet) {
            return Map.of();
        }
    }

    private static boolean checkpointsExist(Lake lake, String dir) {
        try {
            return lake.fileSystem().exists(new Path(dir));
        } catch (IOException e) {
            return false;
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
