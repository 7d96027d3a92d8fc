package io.fedlake.features.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Persists training sets and what they were built from. A training set is a Delta table (each build a new version,
 * replacing the data) whose commit carries the run id, the entity source and every view with its Delta version in
 * userMetadata (JSON); the same facts go to {@code features.training_sets}, one row per view, so
 * {@link #recordedVersions} can pin a rebuild to them.
 */
public final class TrainingSets {

    public static final StructType LOG_SCHEMA = new StructType()
            .add("training_set", DataTypes.StringType, false)
            .add("training_set_version", DataTypes.LongType, false)
            .add("run_id", DataTypes.StringType, false)
            .add("entities_table", DataTypes.StringType, true)
            .add("entities_version", DataTypes.LongType, true)
            .add("timestamp_column", DataTypes.StringType, false)
            .add("tie_policy", DataTypes.StringType, false)
            .add("view", DataTypes.StringType, false)
            .add("view_table", DataTypes.StringType, false)
            .add("view_version", DataTypes.LongType, false)
            .add("definition_version", DataTypes.IntegerType, false)
            .add("row_count", DataTypes.LongType, false)
            .add("created_at", DataTypes.TimestampType, false);

    private TrainingSets() {
    }

    /** Writes {@code set} to {@code table} (replacing its data) and logs its sources; returns the Delta version written. */
    public static long write(FeatureStore store, TrainingSet set, String table, String runId) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("run_id", runId);
        meta.put("operation", "training-set");
        meta.put("entities_table", set.entitiesTable());
        meta.put("entities_version", set.entitiesVersion());
        meta.put("timestamp_column", set.timestampColumn());
        meta.put("tie_policy", set.tiePolicy().name().toLowerCase(java.util.Locale.ROOT));
        meta.put("views", set.viewVersions());
        meta.put("definition_versions", set.definitionVersions());
        String json;
        try {
            json = new ObjectMapper().writeValueAsString(meta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        set.data().write().format("delta").mode("overwrite").option("overwriteSchema", "true")
                .option("userMetadata", json).save(store.pathOf(table));
        long version = store.latestVersion(table);
        long rows = store.read(table, version).data().count();

        Timestamp now = Timestamp.from(Instant.now());
        List<Row> log = new ArrayList<>();
        for (Map.Entry<String, Long> v : set.viewVersions().entrySet()) {
            log.add(RowFactory.create(table, version, runId, set.entitiesTable(), set.entitiesVersion(), set.timestampColumn(),
                    set.tiePolicy().name().toLowerCase(java.util.Locale.ROOT), v.getKey(), "features." + v.getKey(), v.getValue(),
                    set.definitionVersions().get(v.getKey()), rows, now));
        }
        store.spark().createDataFrame(log, LOG_SCHEMA).write().format("delta").mode("append").option("userMetadata", runId)
                .save(store.pathOf(FeatureStore.TRAINING_SETS_TABLE));
        return version;
    }

    /** View → Delta version a training set version was built from (its latest version when {@code version} is null). */
    public static Map<String, Long> recordedVersions(FeatureStore store, String table, Long version) {
        long v = version != null ? version : store.latestVersion(table);
        Dataset<Row> log = store.read(FeatureStore.TRAINING_SETS_TABLE, null).data()
                .where(col("training_set").equalTo(lit(table)).and(col("training_set_version").equalTo(lit(v))))
                .select("view", "view_version");
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : log.collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no sources recorded for " + table + " version " + v + " in " + FeatureStore.TRAINING_SETS_TABLE);
        }
        return out;
    }
}
