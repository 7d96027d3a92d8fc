package io.fedlake.score;

import io.fedlake.cli.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelFiles;
import io.fedlake.translate.BatchInference;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

/**
 * Batch-scores a tabular input into {@code scores.<domain>} for one logical date, exactly once: the date's
 * partition is replaced atomically ({@code replaceWhere}), so a rerun leaves one copy. Rows that cannot be
 * scored go to {@code quarantine.<domain>} with their reason and the full input record as JSON; every run checks
 * input = scored + quarantined and fails loudly otherwise. Every score row carries its provenance.
 */
public final class ScoringJob {

    private ScoringJob() {
    }

    /**
     * @param domain      table suffix, e.g. {@code credit}
     * @param entityKey   key column copied to the score table
     * @param clientKey   client column copied to the score table (null if none)
     * @param threshold   probability at or above which the decision is {@code decline}
     */
    public record Request(String domain, Lake.Snapshot input, Dataset<Row> rows, String entityKey, String clientKey,
                          ModelFiles.LoadedModel model, LocalDate logicalDate, String jobRunId, int batchSize, double threshold) {
        public Request {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
            }
        }
    }

    public record Outcome(long input, long scored, long quarantined, String scoresTable, String scoresPath, long scoresVersion,
                          String quarantineTable, double seconds) {
    }

    public static Outcome run(Lake lake, Request r) {
        long t0 = System.nanoTime();
        Dataset<Row> rows = r.rows();
        StructType inSchema = rows.schema();
        RowTranslator translator = new RowTranslator(r.model().preprocessing(), inSchema, false, r.input().table());
        ModelSpec.Output output = r.model().preprocessing().outputs().get(0);
        if (!output.binary()) {
            throw new UserError("model " + r.model().version().name() + " predicts " + output.classes().size()
                    + " classes; the credit scorer needs a binary model");
        }
        for (String key : new String[]{r.entityKey(), r.clientKey()}) {
            if (key != null && !Arrays.asList(inSchema.fieldNames()).contains(key)) {
                throw UserError.missingColumns(r.input().table(), java.util.List.of(key), Arrays.asList(inSchema.fieldNames()));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<byte[]> model = jsc.broadcast(r.model().networkBytes());
        int[] all = new int[inSchema.size()];
        Arrays.setAll(all, i -> i);
        BatchInference inference = new BatchInference(translator, model, r.model().version().sha256(), r.batchSize(), all);
        Dataset<Row> results = lake.spark().createDataFrame(rows.javaRDD().mapPartitions(inference::apply), inference.outputSchema(inSchema))
                .withColumnRenamed(output.name(), "probability")
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            long input = results.count();
            String date = r.logicalDate().toString();
            Timestamp scoredAt = Timestamp.from(Instant.now());
            ModelFiles.ModelVersion mv = r.model().version();

            Dataset<Row> ok = results.where(col("quarantine_reason").isNull());
            Column[] scoreCols = {
                    col(r.entityKey()),
                    r.clientKey() == null ? lit(null).cast("string").as("client_id") : col(r.clientKey()).cast("string").as("client_id"),
                    col("probability"),
                    when(col("probability").geq(r.threshold()), "decline").otherwise("approve").as("decision"),
                    lit(r.threshold()).as("decision_threshold"),
                    lit(mv.name()).as("model_name"),
                    lit(mv.version()).as("model_version"),
                    lit(mv.sha256()).as("model_sha256"),
                    lit(String.valueOf(mv.metadata().get("training_run_id"))).as("training_run_id"),
                    lit(r.input().table()).as("input_table"),
                    lit(r.input().version()).as("input_version"),
                    lit(r.jobRunId()).as("job_run_id"),
                    lit(scoredAt).as("scored_at"),
                    to_date(lit(date)).as("logical_date"),
            };
            String scoresTable = "scores." + r.domain();
            String scoresPath = lake.pathOf(scoresTable);
            writeDatePartition(ok.select(scoreCols), scoresPath, date, r.jobRunId());

            String quarantineTable = "quarantine." + r.domain();
            Dataset<Row> bad = results.where(col("quarantine_reason").isNotNull());
            long quarantined = bad.count();
            String[] inputNames = inSchema.fieldNames();
            Column[] quarantineCols = {
                    col(r.entityKey()).cast("string").as("entity_id"),
                    col("quarantine_reason").as("reason"),
                    to_json(struct(Arrays.stream(inputNames).map(n -> col("`" + n + "`")).toArray(Column[]::new))).as("record_json"),
                    lit("score").as("stage"),
                    lit(r.input().table()).as("input_table"),
                    lit(r.input().version()).as("input_version"),
                    lit(r.jobRunId()).as("job_run_id"),
                    lit(scoredAt).as("quarantined_at"),
                    to_date(lit(date)).as("logical_date"),
            };
            // Written even when empty so the date's earlier quarantine rows are replaced on a rerun.
            writeDatePartition(bad.select(quarantineCols), lake.pathOf(quarantineTable), date, r.jobRunId());

            long written = lake.spark().read().format("delta").load(scoresPath).where(col("logical_date").equalTo(to_date(lit(date)))).count();
            long scored = input - quarantined;
            if (written != scored || scored + quarantined != input) {
                throw UserError.countsDoNotReconcile(scoresTable + " for " + date, input, written, quarantined);
            }
            return new Outcome(input, scored, quarantined, scoresTable, scoresPath, lake.version(scoresTable), quarantineTable,
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            results.unpersist();
            model.destroy();
        }
    }

    private static void writeDatePartition(Dataset<Row> rows, String path, String date, String runId) {
        rows.write().format("delta").mode("overwrite")
                .partitionBy("logical_date")
                .option("replaceWhere", "logical_date = DATE'" + date + "'")
                .option("userMetadata", runId)
                .save(path);
    }
}
