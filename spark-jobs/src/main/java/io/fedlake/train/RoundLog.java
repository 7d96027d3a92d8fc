package io.fedlake.train;

import io.fedlake.lake.Lake;
import org.apache.spark.sql.Dataset;
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
 * and committed at most every {@value #FLUSH_SECONDS} s, at the end of the run and when it fails. A regime that
 * checkpoints {@linkplain #stage stages} a round's row, puts the rows not committed yet ({@link #unflushed()}) into
 * the round's checkpoint, then {@linkplain #release releases} the row; a driver killed before the next commit loses
 * no row: {@link #resumeAfter} commits the checkpoint's rows that the table lacks and deletes the rows of rounds
 * after the checkpoint (written before the crash), so each round of a run appears once.
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
    /** The progress line of the round staged and not yet released. */
    private String staged;
    private long lastFlush = System.nanoTime();
    private final long started = System.nanoTime();

    /** The log of the context's run; its rounds are evaluated on the validation rows when the run stops early, else on the holdout. */
    public RoundLog(TrainingContext ctx, String regime, String strategy, int totalRounds) {
        this(ctx.lake(), ctx.runId(), ctx.modelName(), regime, strategy, totalRounds, ctx.progress(), ctx.stopping() == null ? "holdout" : "validation");
    }

    RoundLog(Lake lake, String runId, String modelName, String regime, String strategy, int totalRounds, Consumer<String> progress,
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

    /**
     * Before resuming after {@code round}: commits the rows the checkpoint of that round carried ({@link #unflushed()}
     * then) that the table does not hold yet, and removes this run's rows of later rounds.
     */
    public void resumeAfter(int round, byte[] unflushed) {
        List<Row> carried = unflushed.length == 0 ? List.of() : deserialize(unflushed);
        if (lake.exists(TABLE)) {
            io.delta.tables.DeltaTable.forPath(lake.spark(), lake.pathOf(TABLE))
                    .delete(col("run_id").equalTo(runId).and(col("round").gt(round)));
        }
        if (!carried.isEmpty()) {
            Dataset<Row> rows = lake.spark().createDataFrame(carried, SCHEMA);
            if (lake.exists(TABLE)) {
                // committed after the checkpoint was written and before the crash: already there
                Dataset<Row> held = lake.spark().read().format("delta").load(lake.pathOf(TABLE)).where(col("run_id").equalTo(runId))
                        .select(col("round").as("held_round"), col("attempt").as("held_attempt"));
                rows = rows.join(held, rows.col("round").equalTo(held.col("held_round")).and(rows.col("attempt").equalTo(held.col("held_attempt"))),
                        "left_anti");
            }
            append(rows.where(col("round").leq(round)));
        }
    }

    /** Logs a round: its progress line and its row (committed with the next flush). */
    public void record(Round r) {
        stage(r);
        release();
    }

    /** The rows not committed yet, the staged round's included, as the bytes a checkpoint carries. */
    public byte[] unflushed() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(pending));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static List<Row> deserialize(byte[] bytes) {
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return (List<Row>) in.readObject();
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalStateException("the checkpoint's round log rows cannot be read: " + e.getMessage(), e);
        }
    }

    /** Adds a round's row without showing it yet: {@link #release()} prints its progress line (DP: after its checkpoint is on disk). */
    public void stage(Round r) {
        if (staged != null) {
            throw new IllegalStateException("round staged before the previous one was released");
        }
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
        staged = line.toString();
        RoundMetrics h = r.holdout();
        pending.add(RowFactory.create(runId, modelName, regime, strategy, r.round(), r.epoch(), r.attempt(), r.trainLoss(),
                h == null ? null : finite(h.auc()), h == null ? null : finite(h.accuracy()), h == null ? null : finite(h.logLoss()),
                r.clientsSelected(), r.clientsCompleted(), r.examples(), r.bytesAggregated(), r.epsilon(), r.delta(), r.seconds(),
                r.evalSeconds(), (System.nanoTime() - started) / 1e9, r.clients().stream().map(ClientRow::toRow).toList(), Timestamp.from(Instant.now()),
                h == null ? null : evaluatedOn, h == null ? null : finite(h.rmse()), h == null ? null : finite(h.r2())));
    }

    /** Shows the staged round's progress line, and commits the pending rows when the last commit is old enough. */
    public void release() {
        if (staged == null) {
            throw new IllegalStateException("no round staged");
        }
        progress.accept(staged);
        staged = null;
        if ((System.nanoTime() - lastFlush) / 1e9 >= FLUSH_SECONDS) {
            flush();
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public void flush() {
        if (!pending.isEmpty()) {
            append(lake.spark().createDataFrame(new ArrayList<>(pending), SCHEMA));
            pending.clear();
        }
        lastFlush = System.nanoTime();
    }

    private void append(Dataset<Row> rows) {
        rows.coalesce(1).write().format("delta").mode("append")
                .option("mergeSchema", "true")   // evaluated_on, holdout_rmse and holdout_r2 joined the table after its first rounds
                .option("userMetadata", "fedlake run " + runId).save(lake.pathOf(TABLE));
    }

    @Override
    public void close() {
        flush();
    }
}
