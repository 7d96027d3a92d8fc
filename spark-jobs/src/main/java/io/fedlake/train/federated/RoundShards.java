package io.fedlake.train.federated;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The persisted client shards (one partition per client) and, for a round, only the partitions of the clients
 * selected for it. A round then runs one task per selected client: the other clients' shards are not read,
 * deserialised or given an empty accumulator, which with client sampling (C = 0.1 … 0.25) is most of them.
 */
final class RoundShards<T> {

    private final JavaRDD<T> all;
    private final Map<String, Integer> partitionOf;

    RoundShards(JavaRDD<T> all, Map<String, Integer> partitionOf) {
        this.all = all;
        this.partitionOf = Map.copyOf(partitionOf);
    }

    /** The shards of {@code clients} (clients without a shard are ignored), in partition order. */
    JavaRDD<T> of(Collection<String> clients) {
        Set<Integer> keep = new HashSet<>();
        for (String c : clients) {
            Integer p = partitionOf.get(c);
            if (p != null) {
                keep.add(p);
            }
        }
        if (keep.size() == all.getNumPartitions()) {
            return all;
        }
        return JavaRDD.fromRDD(PartitionPruningRDD.create(all.rdd(), new Keep(keep)), all.classTag());
    }

    /** Partition filter; serialisable because Spark may ship it with the pruned RDD's dependency. */
    private static final class Keep extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Set<Integer> keep;

        Keep(Set<Integer> keep) {
            this.keep = keep;
        }

        @Override
        public Object apply(Object partition) {
            return keep.contains((Integer) partition);
        }
    }
}
