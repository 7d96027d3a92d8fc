package io.fedlake.ingest;

import io.fedlake.core.ColumnNames;
import io.fedlake.core.UserError;
import io.fedlake.lake.TableRoles;
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
import org.apache.spark.sql.functions;
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
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static io.fedlake.core.TableNames.QUARANTINE_REASON;

/**
 * Lands real data in the lake: CSV or Parquet tables, and image folders described by a manifest CSV (id, path
 * relative to the manifest, optional label / client key / any other columns). Records that fail validation —
 * malformed CSV lines, a missing or duplicate key, missing, oversize, undecodable or out-of-limits images — go to
 * {@code quarantine.<table>} with a reason; the rest go to the Delta table. Every run checks read = landed +
 * quarantined, with the landed count taken from the run's own Delta commit. Nothing is collected on the driver;
 * image files are read on the executors.
 *
 * <p>Manifest paths are confined to the manifest's folder: an absolute path, a {@code ..} segment or a URI with a
 * scheme is refused (quarantined with a reason that does not depend on whether the file exists) unless the batch
 * allows outside paths. Every per-record read or decode failure (missing, permission denied, a directory,
 * truncated, undecodable, over a limit) is quarantined with its reason; nothing about one record fails the job.
 *
 * <p>Reruns are idempotent. {@code append} merges on the key (a key already in the table is updated, a new one
 * inserted), {@code overwrite} replaces the table; the batch's quarantine rows (stage {@code ingest}, this source,
 * this logical date) are replaced, not appended, so rerunning a batch leaves one copy of everything.
 */
public final class IngestJob {

    private static final String CORRUPT = "_corrupt_record";

    private IngestJob() {
    }

    /** @param renamed original → safe name of every column ingest renamed (see {@link ColumnNames}) */
    public record Outcome(String table, String path, long read, long landed, long quarantined, long version, double seconds,
                          Map<String, String> renamed) {
    }

    /**
     * One ingestion run.
     *
     * @param runId        written as the commits' user metadata: how the run finds its own commit
     * @param logicalDate  the quarantine rows' {@code logical_date}
     * @param allowOutside read manifest paths outside the manifest's folder (absolute, {@code ..}, other URIs)
     */
    public record Batch(String runId, LocalDate logicalDate, boolean allowOutside) implements java.io.Serializable {
        public Batch {
            if (runId == null || runId.isBlank()) {
                throw new IllegalArgumentException("runId must be non-blank");
            }
            if (logicalDate == null) {
                throw new IllegalArgumentException("logicalDate must be given");
            }
        }

        /** Today's (UTC) batch, paths confined to the manifest's folder. */
        public static Batch of(String runId) {
            return new Batch(runId, LocalDate.now(ZoneOffset.UTC), false);
        }
    }

    /**
     * The roles of the table's columns as the user named them (original or safe spelling).
     *
     * @param key         the entity key column, or the name of the key to generate when {@code generateKey}
     * @param generateKey make a stable key from each record's content: a hash of its values plus the copy number
     *                    among identical records, the same on every rerun of the same input
     * @param label       the label column, recorded for {@code train} (may be null)
     * @param client      the federated client column, recorded for {@code train --regime fedavg} (may be null)
     */
    public record Columns(String key, boolean generateKey, String label, String client) {
        public Columns {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("key column must be named");
            }
        }

        public static Columns key(String key) {
            return new Columns(key, false, null, null);
        }
    }

    /** How {@link Columns#generateKey} makes keys, recorded in the table's properties. */
    public static final String CONTENT_HASH = "content-hash";

    static final String OUTSIDE = "path is outside the manifest's folder (absolute, '..' or another URI; --allow-outside permits it)";

    /**
     * Where manifest path {@code rel} points, or null when it leaves the manifest's folder {@code base} and outside
     * paths are not allowed. Decided on the text alone, before any file system call, so a refusal says nothing
     * about the file.
     */
    static Path resolve(String base, String rel, boolean allowOutside) {
        boolean hasScheme = rel.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*");
        boolean outside = hasScheme || rel.startsWith("/") || rel.startsWith("\\") || rel.contains("\\")
                || Arrays.stream(rel.split("/")).anyMatch(seg -> seg.equals("..") || seg.equals("~"));
        if (outside && !allowOutside) {
            return null;
        }
        return hasScheme || rel.startsWith("/") ? new Path(rel) : new Path(base, rel);
    }

    /** Reads the file at {@code p} (at most {@code max} bytes) or returns why not: one reason per failure kind. */
    static Object readOrReason(org.apache.hadoop.conf.Configuration conf, Path p, String rel, long max) {
        try {
            FileSystem fs = p.getFileSystem(conf);
            org.apache.hadoop.fs.FileStatus st = fs.getFileStatus(p);
            if (st.isDirectory()) {
                return "not a file (a directory): " + rel;
            }
            return readAtMost(fs, p, max);
        } catch (FileNotFoundException e) {
            return "file not found: " + rel;
        } catch (java.nio.file.AccessDeniedException | org.apache.hadoop.security.AccessControlException e) {
            return "permission denied: " + rel;
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
            if (m.contains("Permission denied")) {
                return "permission denied: " + rel;
            }
            return "cannot read " + rel + " (" + e.getClass().getSimpleName() + m + ")";
        }
    }

    /**
     * @param schema target schema for CSV (typed parsing; unparseable lines are quarantined); null to infer
     * @param mode   {@code append} or {@code overwrite}
     */
    public static Outcome tabular(Lake lake, String source, String format, String table, StructType schema, String keyColumn, String mode,
                                  String runId) {
        return tabular(lake, source, format, table, schema, keyColumn, mode, Batch.of(runId));
    }

    public static Outcome tabular(Lake lake, String source, String format, String table, StructType schema, String keyColumn, String mode,
                                  Batch batch) {
        return tabular(lake, source, format, table, schema, Columns.key(keyColumn), mode, batch);
    }

    /**
     * Column names that do not work everywhere (dots, spaces, delimiters) are renamed by {@link ColumnNames}; the
     * mapping is returned in the outcome and recorded with the table's roles.
     */
    public static Outcome tabular(Lake lake, String source, String format, String table, StructType schema, Columns columns, String mode,
                                  Batch batch) {
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
        Renamed renamed = Renamed.of(raw);
        raw = renamed.data();
        Columns safe = renamed.resolve(columns, source);
        String keyColumn = safe.key();
        if (safe.generateKey()) {
            if (Arrays.asList(raw.columns()).contains(keyColumn)) {
                throw new UserError(source + " already has a column " + keyColumn + ": name another column for the generated key");
            }
            raw = withContentKey(raw, keyColumn);
        }
        // Spark refuses queries that touch only the corrupt-record column of a raw CSV scan: materialise first.
        raw = raw.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Column reason = when(col(keyColumn).isNull(), lit("missing key " + keyColumn));
            if (Arrays.asList(raw.columns()).contains(CORRUPT)) {
                reason = when(col(CORRUPT).isNotNull(), lit("malformed record: does not parse as the table's schema")).otherwise(reason);
            }
            Dataset<Row> checked = withDuplicateCheck(raw.withColumn(QUARANTINE_REASON, reason), keyColumn);
            String[] keep = Arrays.stream(raw.columns()).filter(c -> !c.equals(CORRUPT)).toArray(String[]::new);
            TableRoles roles = new TableRoles(keyColumn, safe.generateKey() ? CONTENT_HASH : null, safe.label(), safe.client(), null, List.of(),
                    renamed.mapping());
            return land(lake, checked, keep, source, table, keyColumn, mode, batch, t0, roles);
        } finally {
            raw.unpersist();
        }
    }

    /**
     * The input with safe column names, and the renaming. A CSV's corrupt-record column is not renamed.
     */
    private record Renamed(Dataset<Row> data, Map<String, String> mapping) {

        static Renamed of(Dataset<Row> raw) {
            Map<String, String> all = ColumnNames.normalise(Arrays.asList(raw.columns()));
            Map<String, String> renamed = ColumnNames.renamed(all);
            Dataset<Row> data = renamed.isEmpty() ? raw : raw.toDF(all.values().toArray(String[]::new));
            return new Renamed(data, renamed);
        }

        /** A column the user named, in either spelling, in its safe spelling; a missing one is an error. */
        String column(String name, String source) {
            List<String> have = Arrays.asList(data.columns());
            String s = mapping.getOrDefault(name, name);
            if (!have.contains(s)) {
                throw UserError.missingColumns(source, List.of(name), have);
            }
            return s;
        }

        /**
         * The user's columns in their safe spelling. A missing key of a table says how to have one made; a missing
         * label or client column is listed with the columns there are.
         */
        Columns resolve(Columns c, String source) {
            String key;
            if (c.generateKey()) {
                key = ColumnNames.safe(c.key());
            } else if (!Arrays.asList(data.columns()).contains(mapping.getOrDefault(c.key(), c.key()))) {
                java.util.Map<String, String> original = new java.util.HashMap<>();
                mapping.forEach((from, to) -> original.put(to, from));
                List<String> asGiven = Arrays.stream(data.columns()).map(n -> original.getOrDefault(n, n)).toList();
                throw new UserError(source + " has no key column " + c.key() + " (its columns: " + String.join(", ", asGiven)
                        + "): name one with --key COLUMN, or have a stable one made with --generate-key NAME");
            } else {
                key = mapping.getOrDefault(c.key(), c.key());
            }
            return new Columns(key, c.generateKey(), c.label() == null ? null : column(c.label(), source),
                    c.client() == null ? null : column(c.client(), source));
        }
    }

    /**
     * Adds {@code key}: the first 128 bits of the SHA-256 of the record's JSON, then the copy number among
     * identical records (identical records cannot be told apart, so numbering them in any order gives the same keys).
     */
    static Dataset<Row> withContentKey(Dataset<Row> raw, String key) {
        Column[] values = Arrays.stream(raw.columns()).filter(c -> !c.equals(CORRUPT)).map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Column hash = functions.substring(functions.sha2(to_json(struct(values)), 256), 1, 32);
        return raw.withColumn(key, hash)
                .withColumn(key, functions.concat(col(key), lit("-"), functions.row_number().over(Window.partitionBy(col(key)).orderBy(col(key))).cast("string")));
    }

    /** Images listed in a manifest CSV (header; {@code idColumn} and {@code pathColumn} required). */
    public static Outcome images(Lake lake, String manifest, String table, String idColumn, String pathColumn, ImageCheck check, String mode,
                                 String runId) {
        return images(lake, manifest, table, idColumn, pathColumn, check, mode, Batch.of(runId));
    }

    public static Outcome images(Lake lake, String manifest, String table, String idColumn, String pathColumn, ImageCheck check, String mode,
                                 Batch batch) {
        return images(lake, manifest, table, Columns.key(idColumn), pathColumn, check, mode, batch);
    }

    public static Outcome images(Lake lake, String manifest, String table, Columns columns, String pathColumn, ImageCheck check, String mode,
                                 Batch batch) {
        long t0 = System.nanoTime();
        Renamed renamed = Renamed.of(lake.spark().read().option("header", "true").option("inferSchema", "true").csv(manifest));
        if (columns.generateKey()) {
            throw new UserError("a manifest names its images' keys: give --key COLUMN, not a generated key");
        }
        Columns safe = new Columns(renamed.column(columns.key(), manifest), false, columns.label() == null ? null : renamed.column(columns.label(), manifest),
                columns.client() == null ? null : renamed.column(columns.client(), manifest));
        String path = renamed.column(pathColumn, manifest);
        return readImages(lake, renamed.data(), new Path(manifest).getParent().toString(), manifest, table, safe, path, check, mode, batch, t0,
                renamed.mapping());
    }

    /** The image-folder convention's columns: key (the path under the root), path, and the class folder as label. */
    public static final String FOLDER_KEY = "image_id";
    public static final String FOLDER_LABEL = "label";

    /**
     * Images in class subfolders, the convention of torchvision's {@code ImageFolder} and Keras'
     * {@code image_dataset_from_directory}: {@code root/<class>/…/<file>}. The key is the path under the root, the
     * label the class folder's name. Hidden files and folders ('.' or '_' first, as Hadoop skips them) are not
     * records; a file directly under the root has no class and is quarantined, as is anything that is not an image.
     */
    public static Outcome imageFolder(Lake lake, String root, String table, ImageCheck check, String mode, Batch batch) {
        long t0 = System.nanoTime();
        List<Row> files = new ArrayList<>();
        try {
            Path base = new Path(root);
            FileSystem fs = base.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
            if (!fs.getFileStatus(base).isDirectory()) {
                throw new UserError("--format image-folder needs a folder with one subfolder per class; " + root + " is a file");
            }
            String prefix = fs.getFileStatus(base).getPath().toUri().getPath();
            var it = fs.listFiles(base, true);
            while (it.hasNext()) {
                String abs = it.next().getPath().toUri().getPath();
                String rel = abs.substring(prefix.length()).replaceFirst("^/", "");
                if (Arrays.stream(rel.split("/")).anyMatch(seg -> seg.startsWith(".") || seg.startsWith("_"))) {
                    continue;
                }
                int slash = rel.indexOf('/');
                files.add(RowFactory.create(rel, rel, slash < 0 ? null : rel.substring(0, slash)));
            }
        } catch (FileNotFoundException e) {
            throw new UserError("image folder " + root + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot list image folder " + root + ": " + e.getMessage());
        }
        StructType schema = new StructType().add(FOLDER_KEY, DataTypes.StringType).add("path", DataTypes.StringType).add(FOLDER_LABEL, DataTypes.StringType);
        Dataset<Row> manifest = lake.spark().createDataFrame(files, schema).repartition(Math.max(1, Math.min(files.size() / 500 + 1,
                lake.spark().sparkContext().defaultParallelism() * 4)));
        return readImages(lake, manifest, root, root, table, new Columns(FOLDER_KEY, false, FOLDER_LABEL, null), "path", check, mode, batch, t0, Map.of());
    }

    /** Reads and checks each manifest row's image on the executors; lands the good ones and quarantines the rest. */
    private static Outcome readImages(Lake lake, Dataset<Row> m, String base, String source, String table, Columns columns, String pathColumn,
                                      ImageCheck check, String mode, Batch batch, long t0, Map<String, String> renamed) {
        String idColumn = columns.key();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lake.spark().sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(lake.spark().sparkContext().hadoopConfiguration()));
        StructType in = m.schema();
        int pathIndex = in.fieldIndex(pathColumn);
        StructType out = in.add(IMAGE, DataTypes.BinaryType).add("image_width", DataTypes.IntegerType).add("image_height", DataTypes.IntegerType)
                .add("image_format", DataTypes.StringType).add(QUARANTINE_REASON, DataTypes.StringType);
        long limit = check.maxBytes();
        boolean allowOutside = batch.allowOutside();
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
            Path p = resolve(base, rel, allowOutside);
            if (p == null) {
                v[in.size() + 4] = OUTSIDE;
                return RowFactory.create(v);
            }
            Object content = readOrReason(conf.value().value(), p, rel, limit + 1);
            if (content instanceof String reason) {
                v[in.size() + 4] = reason;
                return RowFactory.create(v);
            }
            byte[] bytes = (byte[]) content;
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
        }), out).withColumn(QUARANTINE_REASON, when(col(idColumn).isNull(), lit("missing key " + idColumn)).otherwise(col(QUARANTINE_REASON)));
        if (FOLDER_LABEL.equals(columns.label()) && FOLDER_KEY.equals(idColumn)) {
            read = read.withColumn(QUARANTINE_REASON, when(col(FOLDER_LABEL).isNull(),
                    lit("not in a class folder: image-folder takes the class from the first folder under the root")).otherwise(col(QUARANTINE_REASON)));
        }
        read = read.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            Dataset<Row> checked = withDuplicateCheck(read, idColumn);
            String[] keep = Arrays.stream(out.fieldNames()).filter(c -> !c.equals(QUARANTINE_REASON)).toArray(String[]::new);
            TableRoles roles = new TableRoles(idColumn, null, columns.label(), columns.client(), IMAGE,
                    List.of(pathColumn, "image_width", "image_height", "image_format"), renamed);
            return land(lake, checked, keep, source, table, idColumn, mode, batch, t0, roles);
        } finally {
            read.unpersist();
        }
    }

    /** The column ingest writes each image's bytes to. */
    public static final String IMAGE = "image";

    /** Marks every row whose key occurs more than once in the input: which copy is right is the owner's call. */
    private static Dataset<Row> withDuplicateCheck(Dataset<Row> rows, String key) {
        return rows.withColumn("__copies", count(lit(1)).over(Window.partitionBy(col(key))))
                .withColumn(QUARANTINE_REASON, when(col(QUARANTINE_REASON).isNull().and(col(key).isNotNull()).and(col("__copies").gt(1)),
                        lit("duplicate key " + key + " in the input")).otherwise(col(QUARANTINE_REASON)))
                .drop("__copies");
    }

    private static Outcome land(Lake lake, Dataset<Row> checked, String[] keep, String source, String table, String key, String mode,
                                Batch batch, long t0, TableRoles roles) {
        if (!mode.equals("append") && !mode.equals("overwrite")) {
            throw new IllegalArgumentException("mode must be append or overwrite, got '" + mode + "'");
        }
        String runId = batch.runId();
        checked = checked.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            long read = checked.count();
            Dataset<Row> good = checked.where(col(QUARANTINE_REASON).isNull()).select(Arrays.stream(keep).map(c -> col("`" + c + "`")).toArray(Column[]::new));
            String path = lake.pathOf(table);
            if (mode.equals("append") && lake.exists(table)) {
                mergeOnKey(lake, good, path, key, runId);
            } else {
                good.write().format("delta").mode(mode).option("userMetadata", runId).option("mergeSchema", "true").save(path);
            }
            Dataset<Row> bad = checked.where(col(QUARANTINE_REASON).isNotNull());
            long quarantined = bad.count();
            long landed = landedByOwnCommit(lake, path, runId);
            if (landed < 0) {
                if (read != quarantined) {
                    throw new UserError("ingest run " + runId + ": its commit is not among the last " + OWN_COMMIT_SEARCH + " commits of " + path);
                }
                landed = 0; // nothing to land: a merge of no rows may leave no commit
            }
            String quarantine = "quarantine." + table.substring(table.indexOf('.') + 1);
            if (quarantined > 0 || lake.exists(quarantine)) {
                List<Column> data = new ArrayList<>();
                for (String c : keep) {
                    if (!c.equals(IMAGE)) {
                        data.add(col("`" + c + "`"));
                    }
                }
                String date = batch.logicalDate().toString();
                // Replaces this batch's earlier quarantine rows (a rerun), never scoring's or another source's.
                bad.select(col(key).cast("string").as("entity_id"), col(QUARANTINE_REASON).as("reason"), to_json(struct(data.toArray(new Column[0]))).as("record_json"),
                                lit("ingest").as("stage"), lit(source).as("input_table"), lit(null).cast("long").as("input_version"), lit(runId).as("job_run_id"),
                                lit(Timestamp.from(Instant.now())).as("quarantined_at"), to_date(lit(date)).as("logical_date"))
                        .write().format("delta").mode("overwrite").partitionBy("logical_date")
                        .option("replaceWhere", "logical_date = DATE'" + date + "' AND stage = 'ingest' AND input_table = " + sqlString(source))
                        .option("userMetadata", runId).option("mergeSchema", "true")
                        .save(lake.pathOf(quarantine));
            }
            if (landed + quarantined != read) {
                throw new UserError("ingest of " + source + ": counts do not reconcile: read " + read + " ≠ landed " + landed + " + quarantined " + quarantined);
            }
            (mode.equals("overwrite") ? roles : roles.over(TableRoles.of(lake, table))).record(lake, table);
            return new Outcome(table, path, read, landed, quarantined, lake.version(table), (System.nanoTime() - t0) / 1e9, roles.renamed());
        } finally {
            checked.unpersist();
        }
    }

    /** Upserts on the key: a rerun of the same batch updates its rows instead of appending a second copy. */
    private static void mergeOnKey(Lake lake, Dataset<Row> good, String path, String key, String runId) {
        String conf = "spark.databricks.delta.commitInfo.userMetadata";
        var sparkConf = lake.spark().conf();
        String before = sparkConf.getOption(conf).getOrElse(() -> null);
        sparkConf.set(conf, runId); // DeltaMergeBuilder takes no options: the session's user metadata marks the commit
        String schemaConf = "spark.databricks.delta.schema.autoMerge.enabled";
        String schemaBefore = sparkConf.getOption(schemaConf).getOrElse(() -> null);
        sparkConf.set(schemaConf, "true");
        try {
            io.delta.tables.DeltaTable.forPath(lake.spark(), path).as("t")
                    .merge(good.as("s"), col("t.`" + key + "`").equalTo(col("s.`" + key + "`")))
                    .whenMatched().updateAll().whenNotMatched().insertAll().execute();
        } finally {
            restore(sparkConf, conf, before);
            restore(sparkConf, schemaConf, schemaBefore);
        }
    }

    private static void restore(org.apache.spark.sql.RuntimeConfig conf, String key, String value) {
        if (value == null) {
            conf.unset(key);
        } else {
            conf.set(key, value);
        }
    }

    /**
     * Rows written by the run's own commit (the one whose user metadata is the run id), from Delta's operation
     * metrics: a write's {@code numOutputRows}, a merge's inserted + updated rows. Not {@code history(1)}, which is
     * whoever committed last. -1 when no such commit is found.
     */
    static long landedByOwnCommit(Lake lake, String path, String runId) {
        List<Row> own = io.delta.tables.DeltaTable.forPath(lake.spark(), path).history(OWN_COMMIT_SEARCH)
                .where(col("userMetadata").equalTo(runId)).orderBy(col("version").desc()).select("operation", "operationMetrics").limit(1).collectAsList();
        if (own.isEmpty()) {
            return -1;
        }
        java.util.Map<String, String> m = own.get(0).getJavaMap(1);
        if (own.get(0).getString(0).equals("MERGE")) {
            return Long.parseLong(m.getOrDefault("numTargetRowsInserted", "0")) + Long.parseLong(m.getOrDefault("numTargetRowsUpdated", "0"));
        }
        return Long.parseLong(m.getOrDefault("numOutputRows", "0"));
    }

    static final int OWN_COMMIT_SEARCH = 50;

    private static String sqlString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
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
