package io.fedlake.features.materialize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.features.definition.FeatureDefinition;
import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.transform.FeatureTransform;
import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.features.stats.TableStatistics;
import io.fedlake.features.store.FeatureStore;
import io.fedlake.features.validation.FeatureValidator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static io.fedlake.core.TableNames.QUARANTINE_REASON;

/**
 * Materialises a feature view for a date range into {@code features.<view>} (partitioned by {@code event_date}):
 * compute → validate → write good rows with Delta {@code replaceWhere} on the range (so a rerun replaces the range and
 * leaves one copy, and other ranges are untouched) → quarantine marked rows to {@code quarantine.features_<view>}
 * (also replaced per range) → append the written rows' statistics to {@code features.statistics}. The feature commit's
 * userMetadata records run id, view and definition version, source table and the source Delta version read.
 */
public final class Materializer {

    private Materializer() {
    }

    /** What one materialisation did. */
    public record Result(String view, String table, long version, LocalDate from, LocalDate to, String source, long sourceVersion,
                         long rowsWritten, long rowsQuarantined, TableStatistics statistics, double seconds) {
    }

    /**
     * @param source        the source table pinned at {@code sourceVersion}
     * @throws io.fedlake.features.validation.FeatureValidationException when a {@code fail} rule is broken (nothing is written)
     */
    public static Result materialize(FeatureStore store, FeatureViewDefinition d, Dataset<Row> source, long sourceVersion,
                                     LocalDate from, LocalDate to, String runId) {
        long start = System.nanoTime();
        FeatureStore.check(d, source);
        Dataset<Row> rows = FeatureTransform.compute(d, source, from, to).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Dataset<Row> marked = FeatureValidator.mark(d, rows, d.table() + " " + from + ".." + to)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Dataset<Row> good = marked.where(col(QUARANTINE_REASON).equalTo("")).drop(QUARANTINE_REASON);
                Dataset<Row> bad = marked.where(col(QUARANTINE_REASON).notEqual(""));
                long quarantined = bad.count();

                String range = FeatureTransform.rangePredicate(from, to);
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("run_id", runId);
                meta.put("operation", "materialize");
                meta.put("view", d.name());
                meta.put("view_version", d.version());
                meta.put("source", d.source());
                meta.put("source_version", sourceVersion);
                meta.put("from", from.toString());
                meta.put("to", to.toString());
                // one file per date partition instead of one per (task, date): the range is rewritten whole anyway
                good.repartition(col(FeatureViewDefinition.EVENT_DATE)).write().format("delta").mode("overwrite").option("replaceWhere", range)
                        .option("userMetadata", json(meta)).partitionBy(FeatureViewDefinition.EVENT_DATE).save(store.pathOf(d.table()));
                long version = store.latestVersion(d.table());

                if (quarantined > 0 || store.exists(d.quarantineTable())) {
                    writeQuarantine(store, d, bad, range, runId);
                }
                TableStatistics stats = statistics(d, good);
                FeatureStatistics.append(store.spark(), stats, store.pathOf(FeatureStore.STATISTICS_TABLE), runId, d.table(), version);
                return new Result(d.name(), d.table(), version, from, to, d.source(), sourceVersion, stats.rowCount(), quarantined, stats,
                        (System.nanoTime() - start) / 1e9);
            } finally {
                marked.unpersist();
            }
        } finally {
            rows.unpersist();
        }
    }

    private static void writeQuarantine(FeatureStore store, FeatureViewDefinition d, Dataset<Row> bad, String range, String runId) {
        List<Column> cols = new ArrayList<>();
        d.joinKeys().forEach(k -> cols.add(col(k)));
        cols.add(col(FeatureViewDefinition.EVENT_TS));
        cols.add(col(FeatureViewDefinition.EVENT_DATE));
        cols.add(col(QUARANTINE_REASON).as("reason"));
        cols.add(to_json(struct(d.featureNames().stream().map(n -> col(n)).toArray(Column[]::new))).as("record"));
        cols.add(lit(d.name()).as("view"));
        cols.add(lit(d.version()).as("view_version"));
        cols.add(lit(runId).as("run_id"));
        cols.add(current_timestamp().as("quarantined_at"));
        bad.select(cols.toArray(Column[]::new)).repartition(col(FeatureViewDefinition.EVENT_DATE)).write().format("delta").mode("overwrite").option("replaceWhere", range)
                .option("userMetadata", runId).partitionBy(FeatureViewDefinition.EVENT_DATE).save(store.pathOf(d.quarantineTable()));
    }

    /** Numeric features as numeric statistics, the rest as categorical. */
    public static TableStatistics statistics(FeatureViewDefinition d, Dataset<Row> rows) {
        Set<String> numericTypes = Set.of("double", "float", "bigint", "int", "smallint", "tinyint");
        List<String> numeric = new ArrayList<>();
        List<String> categorical = new ArrayList<>();
        for (FeatureDefinition f : d.features()) {
            (numericTypes.contains(f.type()) ? numeric : categorical).add(f.name());
        }
        return FeatureStatistics.compute(rows, numeric, categorical, 5);
    }

    static String json(Map<String, Object> m) {
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
