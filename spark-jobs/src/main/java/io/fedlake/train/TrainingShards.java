package io.fedlake.train;

import io.fedlake.translate.EncodedShard;
import io.fedlake.translate.RowTranslator;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import scala.Tuple2;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Training rows grouped into shards — one per worker (parameter averaging) or per client (federated averaging) —
 * encoded once into {@link EncodedShard}s and persisted serialised, so every round reads compact float arrays
 * instead of re-reading and re-encoding rows. Within a shard rows are ordered by a seeded hash of the entity key,
 * so the same seed and data give the same shards on any cluster, whatever order Delta lists its files in.
 */
public final class TrainingShards {

    private TrainingShards() {
    }

    /**
     * @param shardColumn an int column holding each row's shard index in [0, shards)
     * @param names       shard names (client ids, or worker-i), by index
     */
    public static JavaRDD<EncodedShard> shard(Dataset<Row> rows, String keyColumn, long seed, int shards, String shardColumn, List<String> names,
                                              RowTranslator translator, LongAccumulator rejected) {
        Dataset<Row> keyed = rows.withColumn("__order", xxhash64(col(keyColumn), lit(seed + 1)));
        int orderIndex = keyed.schema().fieldIndex("__order");
        int shardIndex = keyed.schema().fieldIndex(shardColumn);
        // Catalyst rows all the way: the shuffle moves compact UnsafeRows (not external Rows with their schema) and the
        // translator reads them by ordinal — the added columns come after the ones it was built for
        JavaPairRDD<Long, InternalRow> pairs = keyed.queryExecution().toRdd().toJavaRDD().mapToPair(r -> {
            int s = r.getInt(shardIndex);
            if (s < 0 || s >= shards) {
                throw new IllegalStateException("row mapped to shard " + s + " outside [0, " + shards + ")");
            }
            long order = r.getLong(orderIndex) >>> 24;   // 40 bits of the key hash order rows within a shard
            return new Tuple2<>(((long) s << 40) | order, r.copy());
        });
        return pairs.repartitionAndSortWithinPartitions(new ShardPartitioner(shards))
                .mapPartitionsWithIndex((index, it) -> {
                    Iterator<InternalRow> shardRows = new Iterator<>() {
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        public InternalRow next() {
                            return it.next()._2();
                        }
                    };
                    EncodedShard s = EncodedShard.encodeInternal(names.get(index), index, shardRows, translator, rejected);
                    return Collections.singletonList(s).iterator();
                }, true)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    /** Holdout rows encoded in a few shards for per-round evaluation. */
    public static JavaRDD<EncodedShard> holdout(Dataset<Row> holdout, RowTranslator translator, LongAccumulator rejected) {
        return holdout.queryExecution().toRdd().toJavaRDD().mapPartitionsWithIndex((index, it) ->
                        Collections.singletonList(EncodedShard.encodeInternal("holdout", index, it, translator, rejected)).iterator(), true)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    /** Rows per forward pass of the holdout evaluation (fewer where a task's GPU holds fewer). */
    static final int EVALUATION_BATCH = 4096;

    /** Held-out metrics of {@code params} on the evaluated output (see {@link #evaluatedOutput}, {@link RoundMetrics}). */
    public static RoundMetrics evaluate(JavaRDD<EncodedShard> holdout, String sha256, Broadcast<byte[]> architecture, Broadcast<float[]> params,
                                 int evaluatedOutput, io.fedlake.zoo.ModelSpec.Output output) {
        RoundMetrics zero = RoundMetrics.of(output);
        return holdout.treeAggregate(zero, (acc, shard) -> {
            ComputationGraph net = LocalFit.borrow(sha256, architecture);
            try {
                net.setParams(org.nd4j.linalg.factory.Nd4j.create(params.value()));
                float[] labels = shard.labels(evaluatedOutput);
                int width = shard.labelWidth(evaluatedOutput);
                int step = LocalFit.evaluationBatch(sha256, net, shard, EVALUATION_BATCH);
                for (int from = 0; from < shard.rows(); from += step) {
                    int to = Math.min(shard.rows(), from + step);
                    acc.addBatch(net.output(false, shard.features(from, to))[evaluatedOutput], labels, from, width);
                }
            } finally {
                LocalFit.giveBack(sha256, net);
            }
            return acc;
        }, RoundMetrics::merge, 2);
    }

    /**
     * Index of the output per-round metrics and targets refer to: the first binary one, else the first (a softmax,
     * for which the rounds report accuracy and log loss, no AUC; or a regression, for which they report RMSE, MAE and R²).
     */
    public static int evaluatedOutput(RowTranslator translator) {
        List<io.fedlake.zoo.ModelSpec.Output> outputs = translator.spec().outputs();
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).binary()) {
                return i;
            }
        }
        return 0;
    }

    /** Sends key {@code (shard << 40) | order} to partition {@code shard}, so shard i is exactly partition i. */
    static final class ShardPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int shards;

        ShardPartitioner(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return (int) (((Long) key) >>> 40);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShardPartitioner p && p.shards == shards;
        }

        @Override
        public int hashCode() {
            return shards;
        }
    }
}
