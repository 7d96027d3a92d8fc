package io.fedlake.train;

import io.fedlake.lake.Lake;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * Per-round metrics of every run, appended to the Delta table {@code training.rounds}, and one progress line per
 * round. A Delta commit costs a fraction of a second, more than a parameter-averaging step, so rows are buffered
 * and committed at most every {@value #FLUSH_SECONDS} s, at the end of the run and when it fails. On resume, rows
 * of rounds after the checkpoint (written before the crash) are deleted first, so each round of a run appears once.
 * {@code elapsed_seconds} counts from the log's creation — the start of the regime, before its data preparation —
 * so time-to-target comparisons between regimes include their setup.
 */
public final class RoundLog implements AutoCloseable {

    public static final String TABLE = "training.rounds";
    private static final double FLUSH_SECONDS = 15;

    static final StructType CLIENT = new StructType(new StructField[]{
            DataTypes.createStructField("client_id", DataTypes.StringType, false),
            DataTypes.createStructField("examples", DataTypes.LongType, false),
            DataTypes.createStructField("train_loss", DataTypes.DoubleType, true),
            DataTypes.createStructField("local_steps", DataTypes.IntegerType, false),
            DataTypes.createStructField("status", DataTypes.StringType, false)});

    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("run_id", DataTypes.StringType, false),
            DataTypes.createStructField("model_name", DataTypes.StringType, false),
            DataTypes.createStructField("regime", DataTypes.StringType, false),
            DataTypes.createStructField("strategy", DataTypes.StringType, true),
            DataTypes.createStructField("round", DataTypes.IntegerType, false),
            DataTypes.createStructField("epoch", DataTypes.IntegerType, false),
            DataTypes.createStructField("attempt", DataTypes.IntegerType, false),
            DataTypes.createStructField("train_loss", DataTypes.DoubleType, true),
            DataTypes.createStructField("holdout_auc", DataTypes.DoubleType, true),
            DataTypes.createStructField("holdout_accuracy", DataTypes.DoubleType, true),
            DataTypes.createStructField("holdout_log_loss", DataTypes.DoubleType, true),
            DataTypes.createStructField("clients_selected", DataTypes.IntegerType, false),
            DataTypes.createStructField("clients_completed", DataTypes.IntegerType, false),
            DataTypes.createStructField("examples", DataTypes.LongType, false),
            DataTypes.createStructField("bytes_aggregated", DataTypes.LongType, false),
            DataTypes.createStructField("epsilon", DataTypes.DoubleType, true),
            DataTypes.createStructField("delta", DataTypes.DoubleType, true),
            DataTypes.createStructField("round_seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("eval_seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("elapsed_seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("clients", DataTypes.createArrayType(CLIENT), false),
            DataTypes.createStructField("recorded_at", DataTypes.TimestampType, false),
            DataTypes.createStructField("evaluated_on", DataTypes.StringType, true),
            DataTypes.createStructField("holdout_rmse", DataTypes.DoubleType, true),
            DataTypes.createStructField("holdout_r2", DataTypes.DoubleType, true)});

    /** One client's part in a round. */
    public record ClientRow(String clientId, long examples, Double trainLoss, int localSteps, String status) implements java.io.Serializable {
        Row toRow() {
            return RowFactory.create(clientId, examples, trainLoss, localSteps, status);
        }
    }

    /**
     * One round; nullable metrics are null when not measured this round.
     *
     * @param seconds     the round's wall time including its evaluation
     * @param evalSeconds of which holdout evaluation
     */
    public record Round(int round, int epoch, int attempt, Double trainLoss, RoundMetrics holdout, int clientsSelected, int clientsCompleted,
                        long examples, long bytesAggregated, Double epsilon, Double delta, double seconds, double evalSeconds,
                        List<ClientRow> clients) {
    }

    private final Lake lake;
    private final String runId;
    private final String modelName;
    private final String regime;
    private final String strategy;
    private final Consumer<String> progress;
    /** The split the round metrics come from: holdout, or validation under early stopping. */
    private final String evaluatedOn;
    private int totalRounds;
    private final List<Row> pending = new ArrayList<>();
    private long lastFlush = System.nanoTime();
    private final long started = System.nanoTime();

    /** The log of the context's run; its rounds are evaluated on the validation rows when the run stops early, else on the holdout. */
    public RoundLog(TrainingContext ctx, String regime, String strategy, int totalRounds) {
        this(ctx.lake(), ctx.runId(), ctx.modelName(), regime, strategy, totalRounds, ctx.progress(), ctx.stopping() == null ? "holdout" : "validation");
    }

    private RoundLog(Lake lake, String runId, String modelName, String regime, String strategy, int totalRounds, Consumer<String> progress,
                     String evaluatedOn) {
        this.lake = lake;
        this.runId = runId;
        this.modelName = modelName;
        this.evaluatedOn = evaluatedOn;
        this.regime = regime;
        this.strategy = strategy;
        this.totalRounds = totalRounds;
        this.progress = progress;
    }

    /** The number of rounds, once the regime knows it (for the progress lines). */
    public void totalRounds(int rounds) {
        this.totalRounds = rounds;
    }

    /** Before resuming after {@code round}: removes this run's rows of later rounds. */
    public void truncateAfter(int round) {
        if (lake.exists(TABLE)) {
            io.delta.tables.DeltaTable.forPath(lake.spark(), lake.pathOf(TABLE))
                    .delete(col("run_id").equalTo(runId).and(col("round").gt(round)));
        }
    }

    public void record(Round r) {
        StringBuilder line = new StringBuilder(String.format("round %d/%d", r.round(), totalRounds));
        if (r.attempt() > 1) {
            line.append(" (attempt ").append(r.attempt()).append(')');
        }
        if (r.trainLoss() != null) {
            line.append(String.format("  loss %.4f", r.trainLoss()));
        }
        if (r.holdout() != null) {
            RoundMetrics m = r.holdout();
            line.append(m.regression() ? String.format("  %s RMSE %.4g R² %.4f", evaluatedOn, m.rmse(), m.r2())
                    : Double.isNaN(m.auc()) ? String.format("  %s acc %.4f log loss %.4f", evaluatedOn, m.accuracy(), m.logLoss())
                    : String.format("  %s AUC %.4f acc %.4f", evaluatedOn, m.auc(), m.accuracy()));
        }
        if (!regime.contains("paramavg")) {
            line.append(String.format("  clients %d/%d", r.clientsCompleted(), r.clientsSelected()));
        }
        if (r.epsilon() != null) {
            line.append(String.format("  ε %.3f (δ %.0e)", r.epsilon(), r.delta()));
        }
        line.append(String.format("  %.2f s", r.seconds()));
        progress.accept(line.toString());
        RoundMetrics h = r.holdout();
        pending.add(RowFactory.create(runId, modelName, regime, strategy, r.round(), r.epoch(), r.attempt(), r.trainLoss(),
                h == null ? null : finite(h.auc()), h == null ? null : finite(h.accuracy()), h == null ? null : finite(h.logLoss()),
                r.clientsSelected(), r.clientsCompleted(), r.examples(), r.bytesAggregated(), r.epsilon(), r.delta(), r.seconds(),
                r.evalSeconds(), (System.nanoTime() - started) / 1e9, r.clients().stream().map(ClientRow::toRow).toList(), Timestamp.from(Instant.now()),
                h == null ? null : evaluatedOn, h == null ? null : finite(h.rmse()), h == null ? null : finite(h.r2())));
        if ((System.nanoTime() - lastFlush) / 1e9 >= FLUSH_SECONDS) {
            flush();
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public void flush() {
        if (!pending.isEmpty()) {
            lake.spark().createDataFrame(new ArrayList<>(pending), SCHEMA).coalesce(1).write().format("delta").mode("append")
                    .option("mergeSchema", "true")   // evaluated_on, holdout_rmse and holdout_r2 joined the table after its first rounds
                    .option("userMetadata", "fedlake run " + runId).save(lake.pathOf(TABLE));
            pending.clear();
        }
        lastFlush = System.nanoTime();
    }

    @Override
    public void close() {
        flush();
    }
}
