package io.fedlake.score;

import io.fedlake.core.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelFiles;
import io.fedlake.translate.BatchInference;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import io.delta.tables.DeltaTable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.delta.ConcurrentAppendException;
import org.apache.spark.sql.delta.ConcurrentDeleteReadException;
import org.apache.spark.sql.delta.ConcurrentWriteException;
import org.apache.spark.sql.delta.MetadataChangedException;
import org.apache.spark.sql.delta.ProtocolChangedException;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static io.fedlake.core.TableNames.QUARANTINE_REASON;

/**
 * Batch-scores a domain's input into {@code scores.<domain>} for one logical date, exactly once: the date's
 * partition is replaced atomically ({@code replaceWhere}), so a rerun leaves one copy, and scorers writing
 * different dates concurrently both commit (a conflicting commit is retried). Rows that cannot be scored go to
 * {@code quarantine.<domain>} with their reason and the full input record as JSON; every run checks input =
 * scored + quarantined and fails loudly otherwise. Every score row carries its provenance.
 *
 * <p>Score columns: {@code probability} (the first binary output, e.g. default, finding, defect) and
 * {@code decision} from the threshold; for a model with a multi-class output (defect type) also
 * {@code class_probabilities} (class → probability) and {@code predicted_class}; for a regression output
 * {@code prediction} on the label's scale (no decision: a threshold does not apply); with reason codes (credit) the
 * top features behind a high probability in {@code reason_codes}.
 */
public final class ScoringJob {

    static final int MAX_COMMIT_ATTEMPTS = 10;
    /** The quarantine rows a scoring run owns; ingestion's (stage {@code ingest}) share the table and the date. */
    private static final String SCORE_STAGE = "stage = 'score'";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoringJob.class);

    private ScoringJob() {
    }

    /** view → Delta version as a map literal (an empty map when the rows read no feature views). */
    private static Column featureVersions(Map<String, Long> views) {
        List<String> names = views.keySet().stream().sorted().toList();
        return org.apache.spark.sql.functions.map_from_arrays(
                org.apache.spark.sql.functions.array(names.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new)).cast("array<string>"),
                org.apache.spark.sql.functions.array(names.stream().map(n -> lit(views.get(n))).toArray(Column[]::new)).cast("array<bigint>"));
    }

    /**
     * @param domain         table suffix, e.g. {@code credit}
     * @param entityKey      key column copied to the score table
     * @param clientKey      client column copied to the score table (null if none)
     * @param threshold      probability at or above which the decision is {@code decisions[0]}
     * @param decisions      decision words for (at or above threshold, below), e.g. ("decline", "approve")
     * @param reasonCodes    reason codes per row (0 for none)
     * @param reasonCodesFor which rows get them: {@link ReasonCodesFor#ADVERSE} (the rows whose decision is
     *                       {@code decisions[0]}, as an adverse-action notice needs) or {@link ReasonCodesFor#ALL}
     * @param featureLabels  readable feature names for reason codes, by column name
     * @param featureViews   feature views (and their Delta versions) attached to {@code rows} through the feature
     *                       store; recorded on every score row as {@code feature_versions}
     */
    public record Request(String domain, Lake.Snapshot input, Dataset<Row> rows, String entityKey, String clientKey,
                          ModelFiles.LoadedModel model, LocalDate logicalDate, String jobRunId, int batchSize, double threshold,
                          List<String> decisions, int reasonCodes, Map<String, String> featureLabels, Map<String, Long> featureViews,
                          ReasonCodesFor reasonCodesFor) {

        /** A request with reason codes for the adverse decisions only. */
        public Request(String domain, Lake.Snapshot input, Dataset<Row> rows, String entityKey, String clientKey,
                       ModelFiles.LoadedModel model, LocalDate logicalDate, String jobRunId, int batchSize, double threshold,
                       List<String> decisions, int reasonCodes, Map<String, String> featureLabels, Map<String, Long> featureViews) {
            this(domain, input, rows, entityKey, clientKey, model, logicalDate, jobRunId, batchSize, threshold, decisions, reasonCodes,
                    featureLabels, featureViews, ReasonCodesFor.ADVERSE);
        }

        /** A request that reads no feature views. */
        public Request(String domain, Lake.Snapshot input, Dataset<Row> rows, String entityKey, String clientKey,
                       ModelFiles.LoadedModel model, LocalDate logicalDate, String jobRunId, int batchSize, double threshold,
                       List<String> decisions, int reasonCodes, Map<String, String> featureLabels) {
            this(domain, input, rows, entityKey, clientKey, model, logicalDate, jobRunId, batchSize, threshold, decisions, reasonCodes,
                    featureLabels, Map.of());
        }

        public Request {
            featureViews = Map.copyOf(featureViews);
            java.util.Objects.requireNonNull(reasonCodesFor, "reasonCodesFor");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
            }
            if (decisions.size() != 2) {
                throw new IllegalArgumentException("two decision words are needed, got " + decisions);
            }
            if (reasonCodes < 0) {
                throw new IllegalArgumentException("reason codes must be ≥ 0, got " + reasonCodes);
            }
        }
    }

    /** Which scored rows carry reason codes; recorded on each row as {@value #REASON_CODES_FOR}. */
    public enum ReasonCodesFor {
        /** Rows whose decision is the adverse one ({@code decisions[0]}: decline, refer, reject): what the law asks reasons for. */
        ADVERSE,
        /** Every row. */
        ALL;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static ReasonCodesFor parse(String word) {
            for (ReasonCodesFor f : values()) {
                if (f.word().equals(word)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--reason-codes-for must be adverse or all, got " + word);
        }
    }

    public static final String REASON_CODES_FOR = "reason_codes_for";

    public record Outcome(long input, long scored, long quarantined, String scoresTable, String scoresPath, long scoresVersion,
                          String quarantineTable, double seconds) {
    }

    public static Outcome run(Lake lake, Request r) {
        long t0 = System.nanoTime();
        Plan plan = checkAndPlan(r);
        Projection projection = project(r, plan);
        SparkSession spark = lake.spark();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(r.model().networkBytes());
        try {
            ScoringPass pass = scoringPass(spark, r, plan, projection, model);
            Claim claim = new Claim(r.logicalDate().toString(), Timestamp.from(Instant.now()));
            List<Column> scoreCols = scoreColumns(r, plan, claim);
            String scoresTable = "scores." + r.domain();
            String scoresPath = lake.pathOf(scoresTable);
            long t1 = System.nanoTime();
            long input = writeScores(lake, pass, scoreCols, scoresPath, r, claim);
            long t2 = System.nanoTime();
            String quarantineTable = "quarantine." + r.domain();
            long quarantined = quarantineRejected(lake, quarantineTable, r, plan, model, pass.rejected(), claim);
            long t3 = System.nanoTime();
            PartitionRows.Count stored = reconcile(spark, scoresTable, scoresPath, claim.date(), r.jobRunId(), input, quarantined);
            long t4 = System.nanoTime();
            LOG.info(String.format("scored %,d rows for %s: prepare %.1f s, scores %.1f s, quarantine %.1f s, reconcile %.1f s (%s)", input,
                    claim.date(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9,
                    stored.fromCommit() >= 0 ? "from commit " + stored.fromCommit() : "from the table state"));
            return new Outcome(input, input - quarantined, quarantined, scoresTable, scoresPath, stored.version(), quarantineTable, (t4 - t0) / 1e9);
        } finally {
            model.destroy();
        }
    }

    /**
     * What the model asks of the input, checked against the full input's schema before any Spark work.
     *
     * @param full      the translator over the full input (it finds the rejected rows again, with complete records)
     * @param keyNames  the entity key, then the client key if any
     * @param labels    readable feature names for reason codes, in the tabular preprocessor's order
     */
    private record Plan(StructType inSchema, RowTranslator full, List<String> keyNames, Optional<ModelSpec.Output> binary,
                        Optional<ModelSpec.Output> multi, Optional<ModelSpec.Output> regression, int reasonCodes, List<String> labels) {
    }

    /** The keys and the model's columns only, with a translator and key ordinals over them. */
    private record Projection(Dataset<Row> rows, StructType schema, RowTranslator translator, int[] keys) {
    }

    /** The lazy scoring pass and its counters (filled when its rows are written). */
    private record ScoringPass(Dataset<Row> results, LongAccumulator read, LongAccumulator rejected) {
    }

    /** The logical date this run replaces, and the time its rows carry. */
    private record Claim(String date, Timestamp scoredAt) {
    }

    private static Plan checkAndPlan(Request r) {
        StructType inSchema = r.rows().schema();
        // Built against the full input first: missing or mistyped columns are reported before any Spark work.
        RowTranslator full = new RowTranslator(r.model().preprocessing(), inSchema, false, r.input().table());
        List<ModelSpec.Output> outputs = r.model().preprocessing().outputs();
        Optional<ModelSpec.Output> binary = outputs.stream().filter(ModelSpec.Output::binary).findFirst();
        Optional<ModelSpec.Output> multi = outputs.stream().filter(o -> o.units() > 1).findFirst();
        Optional<ModelSpec.Output> regression = outputs.stream().filter(ModelSpec.Output::regression).findFirst();
        for (String key : new String[]{r.entityKey(), r.clientKey()}) {
            if (key != null && !Arrays.asList(inSchema.fieldNames()).contains(key)) {
                throw UserError.missingColumns(r.input().table(), List.of(key), Arrays.asList(inSchema.fieldNames()));
            }
        }
        TabularPreprocessor tabular = r.model().preprocessing().tabular();
        int reasonCodes = tabular != null && outputs.get(0).binary() ? r.reasonCodes() : 0;
        List<String> labels = new ArrayList<>();
        if (tabular != null) {
            tabular.numericColumns().forEach(c -> labels.add(r.featureLabels().getOrDefault(c, c)));
            tabular.categoricalColumns().forEach(c -> labels.add(r.featureLabels().getOrDefault(c, c)));
        }
        List<String> keyNames = r.clientKey() == null ? List.of(r.entityKey()) : List.of(r.entityKey(), r.clientKey());
        return new Plan(inSchema, full, keyNames, binary, multi, regression, reasonCodes, labels);
    }

    /**
     * The scoring pass reads only the keys and the model's columns (the Parquet scan prunes the rest) as Catalyst
     * rows, encodes them by ordinal into the batch buffers and emits Catalyst rows: no external Row on either side,
     * nothing persisted, and the input is read once for the scores.
     */
    private static Projection project(Request r, Plan plan) {
        LinkedHashSet<String> needed = new LinkedHashSet<>(plan.keyNames());
        needed.addAll(plan.full().columns(plan.inSchema()));
        Dataset<Row> projected = r.rows().select(needed.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
        StructType projectedSchema = projected.schema();
        RowTranslator translator = new RowTranslator(r.model().preprocessing(), projectedSchema, false, r.input().table());
        int[] keys = plan.keyNames().stream().mapToInt(projectedSchema::fieldIndex).toArray();
        return new Projection(projected, projectedSchema, translator, keys);
    }

    /** Translates and scores the projected rows in batches on the executors (lazily: nothing runs until the write). */
    private static ScoringPass scoringPass(SparkSession spark, Request r, Plan plan, Projection projection, Broadcast<byte[]> model) {
        BatchInference inference = new BatchInference(projection.translator(), model, r.model().version().sha256(), r.batchSize(), projection.keys(),
                plan.reasonCodes(), r.reasonCodesFor() == ReasonCodesFor.ADVERSE ? r.threshold() : 0, plan.labels());
        LongAccumulator read = spark.sparkContext().longAccumulator("scoring " + r.jobRunId() + ": rows read");
        LongAccumulator rejected = spark.sparkContext().longAccumulator("scoring " + r.jobRunId() + ": rows rejected");
        JavaRDD<InternalRow> scoredRows = projection.rows().queryExecution().toRdd().toJavaRDD()
                .mapPartitions(it -> {
                    io.fedlake.gpu.DeviceBinding.forCurrentTask(); // this task's GPU, if Spark assigned one
                    return inference.score(it, read, rejected);
                });
        // internalCreateDataFrame (public in bytecode, private[sql] in Scala) takes Catalyst rows as they are;
        // createDataFrame(JavaRDD<Row>) would convert every row through the external Row converters again.
        Dataset<Row> results = spark.internalCreateDataFrame(scoredRows.rdd(), inference.scoreSchema(projection.schema()), false);
        return new ScoringPass(results, read, rejected);
    }

    /** The score table's columns: keys, the binary decision, the classes, a regression's prediction, reason codes, then the provenance. */
    private static List<Column> scoreColumns(Request r, Plan plan, Claim claim) {
        ModelFiles.ModelVersion mv = r.model().version();
        List<Column> scoreCols = new ArrayList<>(List.of(
                col(r.entityKey()),
                r.clientKey() == null ? lit(null).cast("string").as("client_id") : col(r.clientKey()).cast("string").as("client_id")));
        if (plan.binary().isPresent()) {
            Column p = col(plan.binary().get().name());
            scoreCols.addAll(decisionColumns(p, r.threshold(), r.decisions()));
        }
        if (plan.multi().isPresent()) {
            Column classes = array(plan.multi().get().classes().stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new));
            Column p = col(plan.multi().get().name());
            scoreCols.add(map_from_arrays(classes, p).as("class_probabilities"));
            scoreCols.add(element_at(classes, array_position(p, array_max(p)).cast("int")).as("predicted_class"));
        }
        if (plan.regression().isPresent()) {
            scoreCols.add(col(plan.regression().get().name()).as("prediction"));
        }
        if (plan.reasonCodes() > 0) {
            scoreCols.add(col(BatchInference.REASON_CODES));
            scoreCols.add(lit(r.reasonCodesFor().word()).as(REASON_CODES_FOR));
        }
        scoreCols.addAll(provenanceColumns(mv, r.input(), r.featureViews(), r.jobRunId(), claim.scoredAt(), claim.date()));
        return scoreCols;
    }

    /**
     * Runs the scoring pass into the date's partition of the score table, replacing it whole.
     *
     * @return the rows the pass read (a retried commit reruns the job: the counts start again with each attempt)
     */
    private static long writeScores(Lake lake, ScoringPass pass, List<Column> scoreCols, String scoresPath, Request r, Claim claim) {
        Dataset<Row> scoreRows = pass.results().select(scoreCols.toArray(new Column[0]));
        List<String> statistics = List.of(scoreRows.columns()).contains("probability") ? List.of(r.entityKey(), "probability") : List.of(r.entityKey());
        createWithLeanStatistics(lake.spark(), scoresPath, scoreRows.schema(), statistics);
        writeDatePartition(scoreRows, scoresPath, claim.date(), null, r.jobRunId(), pass.read(), pass.rejected());
        return pass.read().value();
    }

    /**
     * Rejected rows are few: they are found again (same translator, no forward pass) only when the scoring pass
     * counted any, from the full input so that their record JSON is complete. With none, the date's quarantine rows
     * from an earlier scoring run are still replaced.
     *
     * @return the rows quarantined, checked against the scoring pass's count
     */
    private static long quarantineRejected(Lake lake, String quarantineTable, Request r, Plan plan, Broadcast<byte[]> model,
                                           LongAccumulator rejected, Claim claim) {
        SparkSession spark = lake.spark();
        String date = claim.date();
        String quarantinePath = lake.pathOf(quarantineTable);
        int[] fullKeys = plan.keyNames().stream().mapToInt(plan.inSchema()::fieldIndex).toArray();
        BatchInference check = new BatchInference(plan.full(), model, r.model().version().sha256(), 1, fullKeys);
        StructType rejectSchema = check.rejectSchema(plan.inSchema());
        Column[] quarantineCols = quarantineColumns(r, claim);
        long quarantined = 0;
        if (rejected.value() > 0) {
            Dataset<Row> bad = r.rows().mapPartitions((MapPartitionsFunction<Row, Row>) check::rejects, Encoders.row(rejectSchema));
            writeDatePartition(bad.select(quarantineCols), quarantinePath, date, SCORE_STAGE, r.jobRunId());
            quarantined = quarantineRows(spark, quarantinePath, date, r.jobRunId());
            if (quarantined != rejected.value()) {
                throw new UserError(quarantineTable + " for " + date + ": the scoring pass rejected " + rejected.value()
                        + " row(s) but " + quarantined + " were quarantined");
            }
        } else if (!DeltaTable.isDeltaTable(spark, quarantinePath) || quarantineRows(spark, quarantinePath, date, null) > 0) {
            // Nothing to quarantine: the date's quarantine rows from an earlier scoring run are still replaced.
            Dataset<Row> none = spark.createDataFrame(List.of(), rejectSchema);
            writeDatePartition(none.select(quarantineCols), quarantinePath, date, SCORE_STAGE, r.jobRunId());
        }
        return quarantined;
    }

    private static Column[] quarantineColumns(Request r, Claim claim) {
        return new Column[]{
                col(r.entityKey()).cast("string").as("entity_id"),
                col(QUARANTINE_REASON).as("reason"),
                col(BatchInference.RECORD_JSON),
                lit("score").as("stage"),
                lit(r.input().table()).as("input_table"),
                lit(r.input().version()).as("input_version"),
                lit(r.jobRunId()).as("job_run_id"),
                lit(claim.scoredAt()).as("quarantined_at"),
                to_date(lit(claim.date())).as("logical_date"),
        };
    }

    /** Input = scored + quarantined, counted from what the run committed; fails loudly otherwise. */
    private static PartitionRows.Count reconcile(SparkSession spark, String scoresTable, String scoresPath, String date, String jobRunId,
                                                 long input, long quarantined) {
        PartitionRows.Count stored = PartitionRows.of(spark, scoresPath, date, jobRunId);
        long written = stored.rows();
        long scored = input - quarantined;
        if (written != scored) {
            throw UserError.countsDoNotReconcile(scoresTable + " for " + date, input, written, quarantined);
        }
        return stored;
    }

    /** {@code probability}, the {@code decision} word from the threshold and {@code decision_threshold}, from a binary output. */
    public static List<Column> decisionColumns(Column probability, double threshold, List<String> decisions) {
        return List.of(probability.as("probability"),
                when(probability.geq(threshold), decisions.get(0)).otherwise(decisions.get(1)).as("decision"),
                lit(threshold).as("decision_threshold"));
    }

    /** The provenance every score row carries, then {@code logical_date} (the partition column). */
    public static List<Column> provenanceColumns(ModelFiles.ModelVersion mv, Lake.Snapshot input, Map<String, Long> featureViews, String jobRunId,
                                                 Timestamp scoredAt, String date) {
        return List.of(
                lit(mv.name()).as("model_name"),
                lit(mv.version()).as("model_version"),
                lit(mv.sha256()).as("model_sha256"),
                lit(String.valueOf(mv.metadata().get("training_run_id"))).as("training_run_id"),
                lit(input.table()).as("input_table"),
                lit(input.version()).as("input_version"),
                featureVersions(featureViews).as("feature_versions"),
                lit(jobRunId).as("job_run_id"),
                lit(scoredAt).as("scored_at"),
                to_date(lit(date)).as("logical_date"));
    }

    /**
     * Quarantine rows of {@code date} that scoring runs wrote ({@code runId}'s only, unless null). Ingestion quarantines
     * its bad records in the same table with stage {@code ingest}; a scoring run neither counts nor replaces those.
     */
    private static long quarantineRows(SparkSession spark, String path, String date, String runId) {
        Column where = col("logical_date").equalTo(to_date(lit(date))).and(functions.expr(SCORE_STAGE));
        return spark.read().format("delta").load(path).where(runId == null ? where : where.and(col("job_run_id").equalTo(runId))).count();
    }

    /**
     * Creates a new score table whose data-skipping statistics cover only {@code statsColumns} (the key and the
     * probability: what queries filter on) instead of Delta's default of the first 32 columns — most score columns
     * are constant provenance strings, and collecting min/max for them cost ≈ 2.6 s per 1M rows. Row counts per file
     * are kept either way (the reconciliation reads them). An existing table is left as it is; a concurrent creator
     * winning the race is fine.
     */
    public static void createWithLeanStatistics(SparkSession spark, String path, StructType schema, List<String> statsColumns) {
        if (io.delta.tables.DeltaTable.isDeltaTable(spark, path)) {
            return;
        }
        try {
            StructType nullable = new StructType(java.util.Arrays.stream(schema.fields())
                    .map(f -> new org.apache.spark.sql.types.StructField(f.name(), f.dataType(), true, f.metadata()))
                    .toArray(org.apache.spark.sql.types.StructField[]::new));
            io.delta.tables.DeltaTable.createIfNotExists(spark).location(path).addColumns(nullable).partitionedBy("logical_date")
                    .property("delta.dataSkippingStatsColumns", String.join(",", statsColumns)).execute();
        } catch (RuntimeException e) {
            if (!io.delta.tables.DeltaTable.isDeltaTable(spark, path)) {
                throw e;
            }
        }
    }

    /**
     * Replaces one date partition (only its rows matching {@code alsoWhere}, if given); a commit that conflicts with a
     * concurrent writer is retried: the rows are computed and written again on the newer table state, so when two runs
     * replace the same date the later commit's rows are the date's, whole.
     */
    public static void writeDatePartition(Dataset<Row> rows, String path, String date, String alsoWhere, String runId, LongAccumulator... counters) {
        for (int attempt = 1; ; attempt++) {
            for (LongAccumulator c : counters) {
                c.reset();
            }
            try {
                rows.write().format("delta").mode("overwrite")
                        .partitionBy("logical_date")
                        .option("replaceWhere", "logical_date = DATE'" + date + "'" + (alsoWhere == null ? "" : " AND " + alsoWhere))
                        .option("mergeSchema", "true") // a newer scorer may add columns (e.g. reason codes); old rows read them as null
                        .option("userMetadata", runId)
                        .save(path);
                return;
            } catch (ConcurrentAppendException | ConcurrentDeleteReadException | ConcurrentWriteException | MetadataChangedException
                     | ProtocolChangedException e) {
                if (attempt >= MAX_COMMIT_ATTEMPTS) {
                    throw new UserError("could not commit " + path + " for " + date + " after " + attempt + " attempts: " + e.getMessage(), e);
                }
                LOG.info(String.format("the commit to %s for %s conflicted with a concurrent writer (%s); writing it again, attempt %d of %d",
                        path, date, e.getClass().getSimpleName(), attempt + 1, MAX_COMMIT_ATTEMPTS));
                try {
                    Thread.sleep((long) (100 * attempt * (0.5 + Math.random())));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UserError("interrupted while retrying a commit to " + path);
                }
            }
        }
    }
}
