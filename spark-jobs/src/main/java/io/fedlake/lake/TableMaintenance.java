package io.fedlake.lake;

import io.delta.tables.DeltaTable;
import io.fedlake.core.UserError;
import org.apache.spark.sql.Row;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * OPTIMIZE (compaction, or Z-order on the columns queries filter by) and VACUUM of a lake table, with a retention
 * that never removes the files of a table version a registered model says it was trained on: the registry's
 * provenance points at {@code training_table} VERSION AS OF {@code training_table_version}, and a VACUUM shorter than
 * that version's age would break the time travel that reproduces the model's training data.
 */
public final class TableMaintenance {

    /** Delta refuses VACUUM below its default retention (7 days) unless a safety check is turned off; Fedlake never does. */
    public static final long MIN_RETAIN_HOURS = 168;
    private static final String MODELS_TABLE = "registry.models";

    public record Outcome(String table, long versionBefore, long versionAfter, long filesRemovedByOptimize, long retainHours,
                          Long protectedVersion, boolean vacuumed) {
    }

    private TableMaintenance() {
    }

    /**
     * @param zOrder       columns to Z-order by; empty for plain compaction
     * @param vacuum       run VACUUM after OPTIMIZE
     * @param retainHours  the retention asked for; raised to cover the oldest version the registry protects
     */
    public static Outcome run(Lake lake, String table, List<String> zOrder, boolean vacuum, long retainHours) {
        if (retainHours < MIN_RETAIN_HOURS) {
            throw new IllegalArgumentException("retain hours must be ≥ " + MIN_RETAIN_HOURS + " (Delta's safe minimum), got " + retainHours);
        }
        lake.requireExists(table, "nothing to maintain");
        DeltaTable delta = DeltaTable.forPath(lake.spark(), lake.pathOf(table));
        long before = lake.version(table);
        List<String> columns = List.of(delta.toDF().columns());
        for (String c : zOrder) {
            if (!columns.contains(c)) {
                throw UserError.missingColumns(table, List.of(c), columns);
            }
        }
        Row metrics = zOrder.isEmpty() ? delta.optimize().executeCompaction().head()
                : delta.optimize().executeZOrderBy(zOrder.toArray(new String[0])).head();
        long removed = metrics.getStruct(1).getLong(metrics.getStruct(1).fieldIndex("numFilesRemoved"));
        Long protectedVersion = oldestRegisteredVersion(lake, table);
        long retain = retainHours;
        if (protectedVersion != null) {
            retain = Math.max(retain, hoursSinceCommit(delta, protectedVersion) + 1);
        }
        if (vacuum) {
            delta.vacuum(retain);
        }
        return new Outcome(table, before, lake.version(table), removed, retain, protectedVersion, vacuum);
    }

    /** The oldest version of {@code table} that a registered model was trained on, or null. */
    static Long oldestRegisteredVersion(Lake lake, String table) {
        if (!lake.exists(MODELS_TABLE)) {
            return null;
        }
        Row r = lake.spark().read().format("delta").load(lake.pathOf(MODELS_TABLE))
                .where(col("training_table").equalTo(lit(table)).and(col("training_table_version").isNotNull()))
                .agg(org.apache.spark.sql.functions.min("training_table_version")).head();
        return r.isNullAt(0) ? null : r.getLong(0);
    }

    /** Whole hours (rounded up) since the commit of {@code version}. */
    static long hoursSinceCommit(DeltaTable delta, long version) {
        Row commit = delta.history().where(col("version").equalTo(lit(version))).select("timestamp").head();
        Timestamp ts = commit.getTimestamp(0);
        Duration age = Duration.between(ts.toInstant(), Instant.now());
        return Math.max(0, (age.toMinutes() + 59) / 60);
    }
}
