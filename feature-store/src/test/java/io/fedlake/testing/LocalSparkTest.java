package io.fedlake.testing;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Base for tests that need Spark: one local[2] session with Delta per test class, bound to loopback, stopped
 * after the class. Shared by the other modules through this module's test-jar.
 */
public abstract class LocalSparkTest {

    protected static SparkSession spark;

    @TempDir
    protected static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("fedlake-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .config("spark.databricks.delta.snapshotPartitions", "2")
                // VACUUM and file listings run this many tasks (10,000 by default): minutes of task overhead on a local master
                .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4")
                // as the product's sessions (SparkSessions): wide training plans would log a truncation WARN
                .config("spark.sql.debug.maxToStringFields", "1000")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }
}
