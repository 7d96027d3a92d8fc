package io.fedlake.features.store;

import io.delta.tables.DeltaTable;
import io.fedlake.features.definition.DefinitionException;
import io.fedlake.features.definition.FeatureDefinition;
import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.definition.FeatureViews;
import io.fedlake.features.transform.FeatureTransform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.List;
import java.util.function.Function;

/**
 * The feature store: view definitions plus the lake they are materialised into. Tables are addressed by two-part
 * names ({@code features.credit_branch_activity}); {@code pathOf} maps a name to its location (the CLI passes the
 * lake's own mapping, {@code <root>/<schema>/<table>}). Every read is pinned to one Delta version so a caller can
 * record what it read and read it again with time travel.
 */
public final class FeatureStore {

    /** Per-materialisation statistics, FeatureStatistics' schema. */
    public static final String STATISTICS_TABLE = "features.statistics";
    /** PSI drift reports. */
    public static final String DRIFT_TABLE = "features.drift";
    /** One row per (training set version, source view): what each training set was built from. */
    public static final String TRAINING_SETS_TABLE = "features.training_sets";

    private final SparkSession spark;
    private final Function<String, String> pathOf;
    private final FeatureViews views;

    public FeatureStore(SparkSession spark, Function<String, String> pathOf, FeatureViews views) {
        this.spark = spark;
        this.pathOf = pathOf;
        this.views = views;
    }

    /** A store whose tables live at {@code <root>/<schema>/<table>}, the lake's layout. */
    public static FeatureStore atRoot(SparkSession spark, String root, FeatureViews views) {
        String r = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        return new FeatureStore(spark, t -> r + "/" + t.replace('.', '/'), views);
    }

    public SparkSession spark() {
        return spark;
    }

    public FeatureViews views() {
        return views;
    }

    public FeatureViewDefinition view(String name) {
        return views.get(name);
    }

    public String pathOf(String table) {
        return pathOf.apply(table);
    }

    public boolean exists(String table) {
        return DeltaTable.isDeltaTable(spark, pathOf(table));
    }

    /** Latest committed Delta version. */
    public long latestVersion(String table) {
        requireExists(table, "not written yet");
        return DeltaTable.forPath(spark, pathOf(table)).history(1).select("version").head().getLong(0);
    }

    /** A table at one version. */
    public record Snapshot(String table, long version, Dataset<Row> data) {
    }

    /** @param version a Delta version, or null for the latest */
    public Snapshot read(String table, Long version) {
        long v = version != null ? version : latestVersion(table);
        requireExists(table, "not written yet");
        return new Snapshot(table, v, spark.read().format("delta").option("versionAsOf", v).load(pathOf(table)));
    }

    /** The materialised view at a version (latest when null). */
    public Snapshot readView(String view, Long version) {
        FeatureViewDefinition d = views.get(view);
        requireExists(d.table(), "materialise it first with 'fedlake features materialize --view " + view + " --from … --to …'");
        return read(d.table(), version);
    }

    public void requireExists(String table, String hint) {
        if (!exists(table)) {
            throw new IllegalStateException("table " + table + " not found at " + pathOf(table) + " (" + hint + ")");
        }
    }

    /**
     * Checks a definition against its source's schema without running a job: keys and event timestamp exist, the
     * timestamp is a timestamp, the filter and every feature expression analyse. Errors name the file and field.
     */
    public static void check(FeatureViewDefinition d, Dataset<Row> source) {
        List<String> columns = List.of(source.columns());
        for (int i = 0; i < d.joinKeys().size(); i++) {
            if (!columns.contains(d.joinKeys().get(i))) {
                throw new DefinitionException(d.file(), "join_keys[" + i + "]", "column '" + d.joinKeys().get(i) + "' is not in " + d.source() + "; it has " + columns);
            }
        }
        if (!columns.contains(d.eventTimestamp())) {
            throw new DefinitionException(d.file(), "event_timestamp", "column '" + d.eventTimestamp() + "' is not in " + d.source() + "; it has " + columns);
        }
        StructField ts = source.schema().apply(d.eventTimestamp());
        if (!ts.dataType().equals(DataTypes.TimestampType)) {
            throw new DefinitionException(d.file(), "event_timestamp", "column '" + d.eventTimestamp() + "' must be a timestamp, it is " + ts.dataType().simpleString());
        }
        Dataset<Row> empty = source.limit(0);
        if (d.filter() != null) {
            analyse(d, "filter", () -> empty.where(org.apache.spark.sql.functions.expr(d.filter())).schema());
        }
        for (int i = 0; i < d.features().size(); i++) {
            FeatureDefinition f = d.features().get(i);
            analyse(d, "features[" + i + "].expr", () -> empty.select(FeatureTransform.featureColumn(d, f)).schema());
        }
    }

    private static void analyse(FeatureViewDefinition d, String field, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("").strip();
            throw new DefinitionException(d.file(), field, "does not analyse against " + d.source() + ": " + msg);
        }
    }
}
