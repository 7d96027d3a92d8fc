package io.fedlake.score;

import io.fedlake.core.UserError;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A scored date read back from the tables, the way a downstream consumer sees it: the check a scheduler runs after
 * the scoring tasks and before it tells anyone the date is ready, and the {@value #PUBLISHED_TABLE} marker it writes
 * once the date reconciles. Downstream queries join on that table (domain, logical date, scores version) instead of
 * reading a date that is still being written or was only half rewritten.
 *
 * <p>A date reconciles when exactly one scoring run owns its score and quarantine rows, they were computed from one
 * input table version, every entity key appears once, and the input rows of the date at that version equal scored
 * plus quarantined.
 */
public final class ScoreLedger {

    public static final String PUBLISHED_TABLE = "published.scores";

    static final StructType PUBLISHED_SCHEMA = new StructType()
            .add("domain", DataTypes.StringType, false)
            .add("logical_date", DataTypes.DateType, false)
            .add("scores_table", DataTypes.StringType, false)
            .add("scores_version", DataTypes.LongType, false)
            .add("input_table", DataTypes.StringType, false)
            .add("input_version", DataTypes.LongType, false)
            .add("rows_input", DataTypes.LongType, false)
            .add("rows_scored", DataTypes.LongType, false)
            .add("rows_quarantined", DataTypes.LongType, false)
            .add("scoring_run_id", DataTypes.StringType, true)
            .add("publish_run_id", DataTypes.StringType, false)
            .add("published_at", DataTypes.TimestampType, false);

    /** What the tables say about one scored date; {@code problem} is null when it reconciles. */
    public record Reconciliation(Domain domain, LocalDate date, String inputTable, long inputVersion, long input, long scored,
                                 long quarantined, String scoringRunId, long scoresVersion, String problem) {
        public boolean reconciles() {
            return problem == null;
        }
    }

    private ScoreLedger() {
    }

    /**
     * @param inputTable the table the scorer read, when not the domain's raw table (as {@code score --table})
     * @param allDates   the scorer scored every row of the input, not only the date's ({@code score --all-dates})
     */
    public static Reconciliation reconcile(Lake lake, Domain domain, LocalDate date, String inputTable, boolean allDates) {
        String scoresTable = domain.scoresTable();
        Lake.Snapshot scores = lake.readLatest(scoresTable, "score the date first (fedlake score --domain " + domain.id() + ")");
        Dataset<Row> s = scores.data().where(onDate("logical_date", date));
        Row sAgg = s.agg(org.apache.spark.sql.functions.count(lit(1)),
                org.apache.spark.sql.functions.countDistinct(col(domain.entityKey())),
                org.apache.spark.sql.functions.collect_set(col("job_run_id")),
                org.apache.spark.sql.functions.collect_set(org.apache.spark.sql.functions.concat_ws("@", col("input_table"), col("input_version").cast("string")))).head();
        long scored = sAgg.getLong(0);
        long distinctKeys = sAgg.getLong(1);
        TreeSet<String> runs = new TreeSet<>(sAgg.<String>getList(2));
        TreeSet<String> inputs = new TreeSet<>(sAgg.<String>getList(3));

        long quarantined = 0;
        if (lake.exists(domain.quarantineTable())) {
            Dataset<Row> q = lake.readLatest(domain.quarantineTable(), "").data()
                    .where(onDate("logical_date", date).and(col("stage").equalTo(lit("score"))));
            Row qAgg = q.agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.collect_set(col("job_run_id")),
                    org.apache.spark.sql.functions.collect_set(org.apache.spark.sql.functions.concat_ws("@", col("input_table"), col("input_version").cast("string")))).head();
            quarantined = qAgg.getLong(0);
            runs.addAll(qAgg.<String>getList(1));
            inputs.addAll(qAgg.<String>getList(2));
        }
        String what = scoresTable + " for " + date;
        if (runs.isEmpty()) {
            // No score and no quarantine row: right only when the input has no row for the date either.
            Lake.Snapshot in = lake.readLatest(inputTable == null ? domain.rawTable() : inputTable, "");
            long rows = (allDates ? in.data() : in.data().where(onDate(domain.dateColumn(), date))).count();
            return new Reconciliation(domain, date, in.table(), in.version(), rows, 0, 0, null, scores.version(),
                    rows == 0 ? null : what + " has no rows but " + in.table() + " v" + in.version() + " has " + rows + " for the date: it was not scored");
        }
        if (runs.size() > 1) {
            return new Reconciliation(domain, date, null, -1, 0, scored, quarantined, null, scores.version(),
                    what + " holds rows of " + runs.size() + " scoring runs " + runs + "; one run must own a date (rerun score for it)");
        }
        String run = runs.first();
        if (inputs.size() != 1) {
            return new Reconciliation(domain, date, null, -1, 0, scored, quarantined, run, scores.version(),
                    what + " was computed from " + inputs.size() + " input versions " + inputs);
        }
        String in = inputs.first();
        String table = in.substring(0, in.lastIndexOf('@'));
        long version = Long.parseLong(in.substring(in.lastIndexOf('@') + 1));
        String expectedTable = inputTable == null ? domain.rawTable() : inputTable;
        if (!table.equals(expectedTable)) {
            return new Reconciliation(domain, date, table, version, 0, scored, quarantined, run, scores.version(),
                    what + " was scored from " + table + ", not " + expectedTable + (inputTable == null ? " (pass --table)" : ""));
        }
        Dataset<Row> input = lake.spark().read().format("delta").option("versionAsOf", version).load(lake.pathOf(table));
        long expected = (allDates ? input : input.where(onDate(domain.dateColumn(), date))).count();
        String problem = null;
        if (distinctKeys != scored) {
            problem = what + " has " + (scored - distinctKeys) + " duplicate " + domain.entityKey() + " value(s) among " + scored + " score rows";
        } else if (scored + quarantined != expected) {
            problem = String.format("%s does not reconcile: %s v%d has %,d input row(s) for the date, the tables hold %,d scored + %,d quarantined",
                    what, table, version, expected, scored, quarantined);
        }
        return new Reconciliation(domain, date, table, version, expected, scored, quarantined, run, scores.version(), problem);
    }

    /** Marks a date that reconciles as published (replacing an earlier mark of the same domain and date); refuses one that does not. */
    public static long publish(Lake lake, Reconciliation r, String publishRunId) {
        if (!r.reconciles()) {
            throw new UserError("not published: " + r.problem());
        }
        Row row = RowFactory.create(r.domain().id(), Date.valueOf(r.date()), r.domain().scoresTable(), r.scoresVersion(), r.inputTable(),
                r.inputVersion(), r.input(), r.scored(), r.quarantined(), r.scoringRunId(), publishRunId, Timestamp.from(Instant.now()));
        String path = lake.pathOf(PUBLISHED_TABLE);
        lake.spark().createDataFrame(List.of(row), PUBLISHED_SCHEMA).write().format("delta").mode("overwrite")
                .option("replaceWhere", "domain = '" + r.domain().id() + "' AND logical_date = DATE'" + r.date() + "'")
                .option("userMetadata", publishRunId).save(path);
        return lake.version(PUBLISHED_TABLE);
    }

    private static org.apache.spark.sql.Column onDate(String column, LocalDate date) {
        return col(column).equalTo(org.apache.spark.sql.functions.to_date(lit(date.toString())));
    }
}
