package io.fedlake.lake;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * Builds the one SparkSession a CLI command uses. Under spark-submit the master and any {@code --conf} given to
 * spark-submit win; locally the default is {@code local[*]} bound to loopback. Delta's extension and catalog are
 * always configured; a {@link SparkProfile} ({@code --profile}) is applied under spark-submit's settings, and
 * {@code --conf key=value} pairs from the Fedlake CLI are applied last.
 */
public final class SparkSessions {

    private SparkSessions() {
    }

    public static SparkSession create(String appName, String master, Map<String, String> conf) {
        return create(appName, master, Map.of(), conf);
    }

    /** As {@link #create(String, String, Map)}, with a profile's settings under spark-submit's and {@code conf}. */
    public static SparkSession create(String appName, String master, Map<String, String> profile, Map<String, String> conf) {
        SparkConf sc = new SparkConf(); // picks up spark.* system properties set by spark-submit
        profile.forEach(sc::setIfMissing);
        if (master != null) {
            sc.setMaster(master);
        } else if (!sc.contains("spark.master")) {
            sc.setMaster("local[*]");
        }
        String effectiveMaster = sc.get("spark.master");
        sc.setIfMissing("spark.app.name", appName);
        sc.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        sc.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        if (effectiveMaster.startsWith("local")) {
            // The machine's hostname may resolve to an interface other than loopback; a local job needs none.
            sc.setIfMissing("spark.driver.host", "127.0.0.1");
            sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            sc.setIfMissing("spark.ui.showConsoleProgress", "false");
            sc.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
            // Delta rebuilds a table's file list in 50 shuffle partitions by default; on a few local cores that is most
            // of a small commit's or a metadata read's time (scoring's count check: 7.2 s → 1.9 s on 1M rows, 2 cores).
            sc.setIfMissing("spark.databricks.delta.snapshotPartitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
            // VACUUM lists a table in this many tasks, 10,000 by default: minutes of task overhead for a small local table.
            sc.setIfMissing("spark.sql.sources.parallelPartitionDiscovery.parallelism", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
        }
        // Spark shortens a plan's description (UI, event log) past 25 fields and warns on the first wide query. A credit
        // training plan has ~30 columns and users' own tables hundreds: keep the full plan, and no WARN on every run.
        sc.setIfMissing("spark.sql.debug.maxToStringFields", "1000");
        // Score and raw tables stay readable by other engines (delta-rs, Trino): no deletion vectors by default.
        sc.setIfMissing("spark.databricks.delta.properties.defaults.enableDeletionVectors", "false");
        conf.forEach(sc::set);
        io.fedlake.gpu.DeviceBindingPlugin.register(sc); // every task of a GPU application bound to its GPU as it starts
        io.fedlake.gpu.DeviceBinding.checkApplication(sc, io.fedlake.gpu.DeviceBinding::backend);
        return SparkSession.builder().config(sc).getOrCreate();
    }
}
