package io.fedlake.lake;

import io.delta.tables.DeltaTable;
import io.fedlake.core.LakePaths;
import io.fedlake.core.UserError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The lake: every table lives under one root URI (any Hadoop file system: file:, hdfs:, s3a:) as
 * {@code <root>/<schema>/<table>}, addressed by a two-part name such as {@code raw.credit}.
 */
public final class Lake {

    private final SparkSession spark;
    private final String root;

    public Lake(SparkSession spark, String rootUri) {
        this.spark = spark;
        this.root = normaliseRoot(rootUri);
    }

    /** A URI with a scheme is kept as given; a plain path becomes an absolute {@code file:/…} URI. No trailing slash. */
    public static String normaliseRoot(String rootUri) {
        return LakePaths.normaliseRoot(rootUri);
    }

    public String root() {
        return root;
    }

    public SparkSession spark() {
        return spark;
    }

    /** Location of a table, e.g. {@code raw.credit} → {@code <root>/raw/credit}. */
    public String pathOf(String table) {
        return LakePaths.tablePath(root, table);
    }

    /** A location under the root for non-table files (models, run directories). */
    public String pathUnder(String relative) {
        return root + "/" + relative;
    }

    public boolean exists(String table) {
        return DeltaTable.isDeltaTable(spark, pathOf(table));
    }

    /** Latest committed version of a Delta table. */
    public long version(String table) {
        requireExists(table, "run the job that writes it first");
        Row last = DeltaTable.forPath(spark, pathOf(table)).history(1).select("version").head();
        return last.getLong(0);
    }

    /** A table pinned at one version, so every action of a job reads the same snapshot. */
    public record Snapshot(String table, String path, long version, Dataset<Row> data) {
    }

    public Snapshot readLatest(String table, String hint) {
        requireExists(table, hint);
        String path = pathOf(table);
        long v = DeltaTable.forPath(spark, path).history(1).select("version").head().getLong(0);
        return new Snapshot(table, path, v, spark.read().format("delta").option("versionAsOf", v).load(path));
    }

    /** A table as it was at {@code version} (Delta time travel); a version no longer readable is a {@link UserError}. */
    public Snapshot readAt(String table, long version) {
        requireExists(table, "it was read at version " + version + " and has been removed since");
        String path = pathOf(table);
        try {
            Dataset<Row> data = spark.read().format("delta").option("versionAsOf", version).load(path);
            data.schema();
            return new Snapshot(table, path, version, data);
        } catch (Exception e) { // Scala throws the checked AnalysisException undeclared
            if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
                throw e;
            }
            throw new UserError("table " + table + " can no longer be read at version " + version + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "): it was vacuumed or replaced since");
        }
    }

    public void requireExists(String table, String hint) {
        if (!exists(table)) {
            throw UserError.tableMissing(table, pathOf(table), hint);
        }
    }

    /** Hadoop file system of the lake root, for non-table files. */
    public FileSystem fileSystem() {
        try {
            return new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open file system of lake root " + root, e);
        }
    }
}
