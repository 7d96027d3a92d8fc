package io.fedlake.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import io.fedlake.core.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.zoo.Preprocessing;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.ConcurrentAppendException;
import org.apache.spark.sql.delta.ConcurrentWriteException;
import org.apache.spark.sql.delta.MetadataChangedException;
import org.apache.spark.sql.delta.ProtocolChangedException;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

/**
 * The model registry: immutable artifacts ({@link ModelFiles}) indexed by a Delta table {@code registry.models}
 * that assigns each (name) consecutive version numbers, and a Delta table {@code registry.aliases} of movable
 * names ({@code champion}, {@code challenger}, …) for versions. Both tables use Serializable isolation, so
 * every allocation and alias move is one atomic commit and concurrent writers conflict and retry instead of
 * both winning. References: {@code NAME} (newest version), {@code NAME:VERSION}, {@code NAME@ALIAS}.
 */
public final class ModelRegistry {

    public static final String MODELS_TABLE = "registry.models";
    public static final String ALIASES_TABLE = "registry.aliases";
    static final int MAX_ATTEMPTS = 20;
    private static final Pattern REFERENCE = Pattern.compile("([a-z0-9][a-z0-9_-]*)(?::(\\d+)|@([a-z][a-z0-9_-]*))?");
    private static final ObjectMapper JSON = new ObjectMapper();

    static final StructType MODELS_SCHEMA = new StructType()
            .add("name", DataTypes.StringType, false)
            .add("version", DataTypes.LongType, false)
            .add("artifact_uri", DataTypes.StringType, false)
            .add("sha256", DataTypes.StringType, false)
            .add("architecture", DataTypes.StringType, true)
            .add("training_run_id", DataTypes.StringType, true)
            .add("training_table", DataTypes.StringType, true)
            .add("training_table_version", DataTypes.LongType, true)
            .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), true)
            .add("registered_at", DataTypes.TimestampType, false)
            .add("metadata_json", DataTypes.StringType, false);

    static final StructType ALIASES_SCHEMA = new StructType()
            .add("name", DataTypes.StringType, false)
            .add("alias", DataTypes.StringType, false)
            .add("version", DataTypes.LongType, false)
            .add("updated_at", DataTypes.TimestampType, false)
            .add("reason", DataTypes.StringType, true);

    private final Lake lake;
    private final ModelFiles files;

    /** Signs and verifies with the key {@value io.fedlake.zoo.artifact.SigningKey#ENV} names, if any. */
    public ModelRegistry(Lake lake) {
        this(lake, io.fedlake.zoo.artifact.SigningKey.fromEnvironment());
    }

    public ModelRegistry(Lake lake, java.util.Optional<io.fedlake.zoo.artifact.SigningKey> key) {
        this.lake = lake;
        this.files = new ModelFiles(lake, key);
    }

    /** Writes the artifact, then allocates the next version number of {@code name}. */
    public ModelFiles.ModelVersion register(String name, String artifactId, byte[] network, Preprocessing preprocessor,
                                            Map<String, Object> provenance) {
        if (!REFERENCE.matcher(name).matches() || name.contains(":") || name.contains("@")) {
            throw new IllegalArgumentException("model name must be lower-case letters, digits, '-' or '_', got '" + name + "'");
        }
        ModelFiles.ModelVersion artifact = files.save(name, artifactId, network, preprocessor, provenance);
        String metadata = json(artifact.metadata());
        Map<String, Double> metrics = metrics(artifact.metadata());
        DeltaTable models = table(MODELS_TABLE, MODELS_SCHEMA);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long version = nextVersion(name);
            Row row = RowFactory.create(name, version, artifact.uri(), artifact.sha256(),
                    (String) artifact.metadata().get("architecture"), (String) artifact.metadata().get("training_run_id"),
                    (String) artifact.metadata().get("training_table"), asLong(artifact.metadata().get("training_table_version")),
                    scala.collection.JavaConverters.mapAsScalaMap(metrics), Timestamp.from(Instant.now()), metadata);
            Dataset<Row> source = lake.spark().createDataFrame(List.of(row), MODELS_SCHEMA);
            try {
                models.as("t").merge(source.as("s"), "t.name = s.name AND t.version = s.version")
                        .whenNotMatched().insertAll().execute();
                List<Row> holder = read(MODELS_TABLE).where(col("name").equalTo(name).and(col("version").equalTo(version)))
                        .select("artifact_uri").collectAsList();
                if (holder.size() == 1 && artifact.uri().equals(holder.get(0).getString(0))) {
                    Map<String, Object> meta = new LinkedHashMap<>(artifact.metadata());
                    meta.put("version", version);
                    return new ModelFiles.ModelVersion(name, String.valueOf(version), artifact.uri(), artifact.sha256(), meta);
                }
                // another writer took this number between our read and our commit: take the next one
            } catch (ConcurrentAppendException | ConcurrentWriteException | MetadataChangedException | ProtocolChangedException e) {
                backOff(attempt);
            }
        }
        throw new UserError("could not register " + name + " after " + MAX_ATTEMPTS + " attempts: too many concurrent registrations");
    }

    private long nextVersion(String name) {
        Row r = read(MODELS_TABLE).where(col("name").equalTo(name)).agg(max("version")).head();
        return r.isNullAt(0) ? 1 : r.getLong(0) + 1;
    }

    /** One registry row, resolved from a reference. */
    public record Entry(String name, long version, String artifactUri, String sha256, Map<String, Double> metrics, String metadataJson) {
        public String reference() {
            return name + ":" + version;
        }
    }

    public Entry resolve(String reference) {
        Matcher m = REFERENCE.matcher(reference);
        if (!m.matches()) {
            throw new UserError("bad model reference '" + reference + "': expected NAME, NAME:VERSION or NAME@ALIAS");
        }
        String name = m.group(1);
        if (!lake.exists(MODELS_TABLE)) {
            throw new UserError("no model named '" + name + "' is registered (the registry at " + lake.pathOf(MODELS_TABLE)
                    + " is empty; run 'fedlake train' or 'fedlake pipeline' first)");
        }
        Dataset<Row> versions = read(MODELS_TABLE).where(col("name").equalTo(name));
        long version;
        if (m.group(2) != null) {
            version = Long.parseLong(m.group(2));
        } else if (m.group(3) != null) {
            List<Row> alias = lake.exists(ALIASES_TABLE)
                    ? read(ALIASES_TABLE).where(col("name").equalTo(name).and(col("alias").equalTo(m.group(3)))).collectAsList() : List.of();
            if (alias.isEmpty()) {
                throw new UserError("model " + name + " has no alias '" + m.group(3) + "'");
            }
            version = alias.get(0).getLong(alias.get(0).fieldIndex("version"));
        } else {
            Row newest = versions.agg(max("version")).head();
            if (newest.isNullAt(0)) {
                throw new UserError("no model named '" + name + "' is registered");
            }
            version = newest.getLong(0);
        }
        List<Row> rows = versions.where(col("version").equalTo(version)).collectAsList();
        if (rows.isEmpty()) {
            throw new UserError("model " + name + " has no version " + version);
        }
        Row r = rows.get(0);
        Map<String, Double> metrics = r.isNullAt(r.fieldIndex("metrics")) ? Map.of() : r.getJavaMap(r.fieldIndex("metrics"));
        return new Entry(name, version, r.getAs("artifact_uri"), r.getAs("sha256"), Map.copyOf(metrics), r.getAs("metadata_json"));
    }

    /**
     * Loads a referenced version: the artifact is verified by {@link ModelFiles#load} (signature, checksums, zip
     * entries), then the registry row must describe that artifact: same name, the SHA-256, and the metadata (metrics
     * included, which promotion gates read from the row) that model.json — signed when a key is configured — holds.
     */
    public ModelFiles.LoadedModel load(String reference) {
        Entry e = resolve(reference);
        ModelFiles.LoadedModel a = files.load(e.artifactUri());
        if (!a.version().sha256().equals(e.sha256())) {
            throw new UserError("model " + e.reference() + " fails its checksum: artifact SHA-256 " + a.version().sha256()
                    + " differs from the registry's " + e.sha256());
        }
        if (!e.name().equals(a.version().name())) {
            throw new UserError("model " + e.reference() + " fails its checksum: the registry row points at an artifact of model "
                    + a.version().name() + " (" + e.artifactUri() + ")");
        }
        Map<String, Object> recorded;
        try {
            recorded = JSON.readValue(e.metadataJson(), new com.fasterxml.jackson.core.type.TypeReference<>() {
            });
        } catch (JsonProcessingException | RuntimeException bad) {
            recorded = null;
        }
        if (!a.version().metadata().equals(recorded)) {
            throw new UserError("model " + e.reference() + " fails its checksum: the registry row's metadata_json differs from "
                    + ModelFiles.METADATA_FILE + " at " + e.artifactUri());
        }
        Map<String, Double> metrics = metrics(a.version().metadata());
        if (!metrics.equals(e.metrics())) {
            throw new UserError("model " + e.reference() + " fails its checksum: the registry row's metrics " + e.metrics()
                    + " differ from " + ModelFiles.METADATA_FILE + "'s " + metrics);
        }
        Map<String, Object> meta = new LinkedHashMap<>(a.version().metadata());
        meta.put("version", e.version());
        return new ModelFiles.LoadedModel(new ModelFiles.ModelVersion(e.name(), String.valueOf(e.version()), e.artifactUri(), e.sha256(), meta),
                a.networkBytes(), a.preprocessing(), a.signature());
    }

    private static Map<String, Double> metrics(Map<String, Object> metadata) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (metadata.get("metrics") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) {
                    metrics.put(String.valueOf(k), n.doubleValue());
                }
            });
        }
        return metrics;
    }

    /** Points {@code alias} of {@code name} at {@code version} in one atomic commit. */
    public void setAlias(String name, String alias, long version, String reason) {
        resolve(name + ":" + version);
        DeltaTable aliases = table(ALIASES_TABLE, ALIASES_SCHEMA);
        Dataset<Row> source = lake.spark().createDataFrame(List.of(RowFactory.create(name, alias, version, Timestamp.from(Instant.now()), reason)),
                ALIASES_SCHEMA);
        for (int attempt = 1; ; attempt++) {
            try {
                aliases.as("t").merge(source.as("s"), "t.name = s.name AND t.alias = s.alias")
                        .whenMatched().updateAll().whenNotMatched().insertAll().execute();
                return;
            } catch (ConcurrentAppendException | ConcurrentWriteException | MetadataChangedException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new UserError("could not move alias " + alias + " of " + name + ": too many concurrent changes");
                }
                backOff(attempt);
            }
        }
    }

    /** The outcome of a gated promotion. */
    public record Promotion(boolean promoted, String message) {
    }

    /**
     * Moves {@code alias} to {@code reference} only if its {@code metric} is not worse than the version the alias
     * points at now by more than {@code tolerance} (or the alias is unset).
     */
    public Promotion promote(String reference, String alias, String metric, double tolerance, boolean higherIsBetter) {
        return promote(reference, alias, metric, tolerance, higherIsBetter, false);
    }

    /**
     * The metric gate, and the alias move when it passes. With {@code checkOnly} the gate is evaluated and reported
     * but the alias stays where it is: a scheduler branches on the decision before it promotes.
     */
    public Promotion promote(String reference, String alias, String metric, double tolerance, boolean higherIsBetter, boolean checkOnly) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be ≥ 0, got " + tolerance);
        }
        Entry candidate = resolve(reference);
        Double value = candidate.metrics().get(metric);
        if (value == null) {
            throw new UserError("model " + candidate.reference() + " has no metric '" + metric + "'; it has " + candidate.metrics().keySet());
        }
        Entry current = null;
        try {
            current = resolve(candidate.name() + "@" + alias);
        } catch (UserError noAliasYet) {
            // first promotion: nothing to compare against
        }
        if (current != null && current.version() != candidate.version()) {
            Double incumbent = current.metrics().get(metric);
            double worseBy = incumbent == null ? Double.NEGATIVE_INFINITY : higherIsBetter ? incumbent - value : value - incumbent;
            if (worseBy > tolerance) {
                return new Promotion(false, String.format("refused: %s %s %.4f is worse than %s %s (%.4f) by %.4f > tolerance %.4f",
                        candidate.reference(), metric, value, alias, current.reference(), incumbent, worseBy, tolerance));
            }
        }
        String why = current == null ? "first " + alias : String.format("%s %.4f vs %s %.4f", metric, value, current.reference(),
                current.metrics().getOrDefault(metric, Double.NaN));
        if (!checkOnly) {
            setAlias(candidate.name(), alias, candidate.version(), why);
        }
        return new Promotion(true, String.format("%s@%s → %s (%s)", candidate.name(), alias, candidate.reference(), why));
    }

    /** Every registered version with its aliases, newest first. */
    public Dataset<Row> list() {
        if (!lake.exists(MODELS_TABLE)) {
            return lake.spark().createDataFrame(List.of(), MODELS_SCHEMA);
        }
        Dataset<Row> models = read(MODELS_TABLE);
        if (lake.exists(ALIASES_TABLE)) {
            Dataset<Row> aliases = read(ALIASES_TABLE).groupBy("name", "version")
                    .agg(org.apache.spark.sql.functions.concat_ws(",", org.apache.spark.sql.functions.sort_array(
                            org.apache.spark.sql.functions.collect_list("alias"))).as("aliases"));
            models = models.join(aliases, models.col("name").equalTo(aliases.col("name")).and(models.col("version").equalTo(aliases.col("version"))), "left")
                    .select(models.col("*"), aliases.col("aliases"));
        } else {
            models = models.withColumn("aliases", lit(null).cast("string"));
        }
        return models.orderBy(col("name"), col("version").desc());
    }

    private Dataset<Row> read(String table) {
        return lake.spark().read().format("delta").load(lake.pathOf(table));
    }

    private DeltaTable table(String name, StructType schema) {
        SparkSession spark = lake.spark();
        String path = lake.pathOf(name);
        if (!lake.exists(name)) {
            try {
                DeltaTable.createIfNotExists(spark).location(path).addColumns(schema)
                        .property("delta.isolationLevel", "Serializable").execute();
            } catch (RuntimeException concurrentCreate) {
                if (!lake.exists(name)) {
                    throw concurrentCreate;
                }
            }
        }
        return DeltaTable.forPath(spark, path);
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep((long) (Math.min(2_000, 50L << Math.min(attempt, 6)) * (0.5 + Math.random())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while retrying a registry commit");
        }
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    private static String json(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
