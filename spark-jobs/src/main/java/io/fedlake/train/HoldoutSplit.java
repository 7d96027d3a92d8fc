package io.fedlake.train;

import org.apache.spark.sql.Column;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * A deterministic train/holdout split by hashing the entity key with the seed: the same row lands on the same
 * side in every run, on any cluster, whatever the partitioning, and new rows do not move old ones.
 */
public final class HoldoutSplit {

    private static final int BUCKETS = 10_000;

    private HoldoutSplit() {
    }

    public static Column isHoldout(String keyColumn, long seed, double fraction) {
        return pmod(xxhash64(col(keyColumn), lit(seed)), lit((long) BUCKETS)).lt(lit(Math.round(fraction * BUCKETS)));
    }
}
