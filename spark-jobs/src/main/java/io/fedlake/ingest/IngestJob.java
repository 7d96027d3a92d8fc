package io.fedlake.ingest;

import io.fedlake.cli.UserError;
import io.fedlake.lake.Lake;
import io.fedlake.zoo.image.ImageCheck;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

/**
 * Lands real data in the lake: CSV or Parquet tables, and image folders described by a manifest CSV (id, path
 * relative to the manifest, optional label / client key / any other columns). Records that fail validation —
 * malformed CSV lines, a missing or duplicate key, missing, oversize, undecodable or out-of-limits images — go to
 * {@code quarantine.<table>} with a reason; the rest go to the Delta table. Every run checks read = landed +
 * quarantined. Nothing is collected on the driver; image files are read on the executors.
 */
public final class IngestJob {

    public static final String REASON = "quarantine_reason";
    private static final String CORRUPT = "_corrupt_record";

    private IngestJob() {
    }

    public record Outcome(String table, String path, long read, long landed, long quarantined, long version, double seconds) {
    }

    /**
     * @param schema target schema for CSV (typed parsing; unparseable lines are quarantined); null to infer
     * @param mode   {@code append} or {@code overwrite}
     */
    public static Outcome tabular(Lake lake, String source, String format, String table, StructType schema, String keyColumn, String mode,
                                  String runId) {
        long t0 = System.nanoTime();
        Dataset<Row> raw;
        switch (format) {
            case "csv" -> {
                var reader = lake.spark().read().option("header", "true").option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT);
                raw = schema != null ? reader.schema(schema.add(CORRUPT, DataTypes.StringType)).csv(source)
                        : reader.option("inferSchema", "true").csv(source);
            }
            case "parquet" -> raw = lake.spark().read().parquet(source);
            default -> throw new IllegalArgumentException("format must be csv, parquet or images, got '" + format + "'");
        }
        if (!Arrays.asList(raw.columns()).contains(keyColumn)) {
            throw UserError.missingColumns(source, List.of(keyColumn), Arrays.asList(raw.columns()));
        }
        // Spark refuses queries that touch only the corrupt-record column of a raw CSV scan: materialise first.
        raw = raw.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Column reason = when(col(keyColumn).isNull(), lit("missing key " + keyColumn));
            if (Arrays.asList(raw.columns()).contains(CORRUPT)) {
                reason = when(col(CORRUPT).isNotNull(), lit("malformed record: does not parse as the table's schema")).otherwise(reason);
            }
            Dataset<Row> checked = withDuplicateCheck(raw.withColumn(REASON, reason), keyColumn);
            String[] keep = Arrays.stream(raw.columns()).filter(c -> !c.equals(CORRUPT)).toArray(String[]::new);
            return land(lake, checked, keep, source, table, keyColumn, mode, runId, t0);
        } finally {
            raw.unpersist();
        }
    }

    /** Images listed in a manifest CSV (header; {@code idColumn} and {@code pathColumn} required). */
    public static Outcome images(Lake lake, String manifest, String table, String idColumn, String pathColumn, ImageCheck check, String mode,
                                 String runId) {
        long t0 = System.nanoTime();
        Dataset<Row> m = lake.spark().read().option("header", "true").option("inferSchema", "true").csv(manifest);
        for (String c : List.of(idColumn, pathColumn)) {
            if (!Arrays.asList(m.columns()).contains(c)) {
                throw UserError.missingColumns(manifest, List.of(c), Arrays.asList(m.columns()));
            }
        }
        String base = new Path(manifest).getParent().toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(lake.spark().sparkContext().hadoopConfiguration()));
        StructType in = m.schema();
        int pathIndex = in.fieldIndex(pathColumn);
        StructType out = in.add("image", DataTypes.BinaryType).add("image_width", DataTypes.IntegerType).add("image_height", DataTypes.IntegerType)
                .add("image_format", DataTypes.StringType).add(REASON, DataTypes.StringType);
        long limit = check.maxBytes();
        Dataset<Row> read = lake.spark().createDataFrame(m.javaRDD().map(r -> {
            Object[] v = new Object[in.size() + 5];
            for (int i = 0; i < in.size(); i++) {
                v[i] = r.get(i);
            }
            String rel = r.isNullAt(pathIndex) ? null : r.get(pathIndex).toString();
            if (rel == null || rel.isBlank()) {
                v[in.size() + 4] = "missing path";
                return RowFactory.create(v);
            }
            Path p = rel.contains(":") || rel.startsWith("/") ? new Path(rel) : new Path(base, rel);
            byte[] bytes;
            try {
                bytes = readAtMost(p.getFileSystem(conf.value().value()), p, limit + 1);
            } catch (FileNotFoundException e) {
                v[in.size() + 4] = "file not found: " + rel;
                return RowFactory.create(v);
            }
            ImageCheck.Result res = check.check(bytes);
            if (!res.ok()) {
                v[in.size() + 4] = res.reason().startsWith("file is ") && bytes.length > limit ? "file is over the limit of " + limit + " bytes" : res.reason();
                return RowFactory.create(v);
            }
            v[in.size()] = bytes;
            v[in.size() + 1] = res.info().width();
            v[in.size() + 2] = res.info().height();
            v[in.size() + 3] = res.info().format();
            return RowFactory.create(v);
        }), out).withColumn(REASON, when(col(idColumn).isNull(), lit("missing key " + idColumn)).otherwise(col(REASON)))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            Dataset<Row> checked = withDuplicateCheck(read, idColumn);
            String[] keep = Arrays.stream(out.fieldNames()).filter(c -> !c.equals(REASON)).toArray(String[]::new);
            return land(lake, checked, keep, manifest, table, idColumn, mode, runId, t0);
        } finally {
            read.unpersist();
        }
    }

    /** Marks every row whose key occurs more than once in the input: which copy is right is the owner's call. */
    private static Dataset<Row> withDuplicateCheck(Dataset<Row> rows, String key) {
        return rows.withColumn("__copies", count(lit(1)).over(Window.partitionBy(col(key))))
                .withColumn(REASON, when(col(REASON).isNull().and(col(key).isNotNull()).and(col("__copies").gt(1)),
                        lit("duplicate key " + key + " in the input")).otherwise(col(REASON)))
                .drop("__copies");
    }

    private static Outcome land(Lake lake, Dataset<Row> checked, String[] keep, String source, String table, String key, String mode,
                                String runId, long t0) {
        if (!mode.equals("append") && !mode.equals("overwrite")) {
            throw new IllegalArgumentException("mode must be append or overwrite, got '" + mode + "'");
        }
        checked = checked.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            long read = checked.count();
            Dataset<Row> good = checked.where(col(REASON).isNull()).select(Arrays.stream(keep).map(c -> col("`" + c + "`")).toArray(Column[]::new));
            String path = lake.pathOf(table);
            good.write().format("delta").mode(mode).option("userMetadata", runId).option("mergeSchema", "true").save(path);
            // What Delta says this commit wrote, not what we meant to write.
            Row commit = io.delta.tables.DeltaTable.forPath(lake.spark(), path).history(1).select("operationMetrics").head();
            java.util.Map<String, String> metrics = commit.getJavaMap(0);
            long landed = Long.parseLong(metrics.getOrDefault("numOutputRows", "0"));
            Dataset<Row> bad = checked.where(col(REASON).isNotNull());
            long quarantined = bad.count();
            if (quarantined > 0) {
                List<Column> data = new ArrayList<>();
                for (String c : keep) {
                    if (!c.equals("image")) {
                        data.add(col("`" + c + "`"));
                    }
                }
                String quarantine = "quarantine." + table.substring(table.indexOf('.') + 1);
                bad.select(col(key).cast("string").as("entity_id"), col(REASON).as("reason"), to_json(struct(data.toArray(new Column[0]))).as("record_json"),
                                lit("ingest").as("stage"), lit(source).as("input_table"), lit(null).cast("long").as("input_version"), lit(runId).as("job_run_id"),
                                lit(Timestamp.from(Instant.now())).as("quarantined_at"), to_date(lit(LocalDate.now(ZoneOffset.UTC).toString())).as("logical_date"))
                        .write().format("delta").mode("append").partitionBy("logical_date").option("userMetadata", runId).option("mergeSchema", "true")
                        .save(lake.pathOf(quarantine));
            }
            if (landed + quarantined != read) {
                throw new UserError("ingest of " + source + ": counts do not reconcile: read " + read + " ≠ landed " + landed + " + quarantined " + quarantined);
            }
            return new Outcome(table, path, read, landed, quarantined, lake.version(table), (System.nanoTime() - t0) / 1e9);
        } finally {
            checked.unpersist();
        }
    }

    private static byte[] readAtMost(FileSystem fs, Path p, long max) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while (total < max && (n = in.read(buf, 0, (int) Math.min(buf.length, max - total))) > 0) {
                out.write(buf, 0, n);
                total += n;
            }
            return out.toByteArray();
        }
    }
}
