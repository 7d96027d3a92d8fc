package io.fedlake.train.federated;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A round's job runs one task per selected client, over exactly their shards, and aggregates directly while small. */
class RoundShardsTest extends LocalSparkTest {

    @Test
    void aRoundRunsTasksOnlyForItsSelectedClients() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // five "shards", one per partition, like the client shards after TrainingShards.shard
        JavaRDD<String> shards = jsc.parallelize(List.of("a", "b", "c", "d", "e"), 5);
        RoundShards<String> round = new RoundShards<>(shards, Map.of("a", 0, "b", 1, "c", 2, "d", 3, "e", 4));
        jsc.setJobGroup("round-shards-test", "a round over two of five clients", false);
        JavaRDD<String> selected = round.of(List.of("d", "b", "not-a-client"));
        assertEquals(2, selected.getNumPartitions());
        assertEquals(List.of("b", "d"), selected.collect());
        jsc.clearJobGroup();
        int tasks = 0;
        for (int job : jsc.statusTracker().getJobIdsForGroup("round-shards-test")) {
            for (int stage : jsc.statusTracker().getJobInfo(job).stageIds()) {
                tasks += jsc.statusTracker().getStageInfo(stage).numTasks();
            }
        }
        assertEquals(2, tasks, "one task per selected client, none for the others");
        assertSame(shards, round.of(List.of("e", "d", "c", "b", "a")), "every client selected: the shards as they are");
    }

    @Test
    void smallRoundsAggregateOnTheDriverLargeOnesThroughATree() {
        assertEquals(1, FederatedTrainer.aggregationDepth(24, 16L * 5_600), "24 clients × 90 KB");
        assertEquals(2, FederatedTrainer.aggregationDepth(24, 16L * 1_000_000), "24 clients × 16 MB");
        assertEquals(1, FederatedTrainer.aggregationDepth(4, 16L * 1_000_000), "4 clients × 16 MB = the 64 MB limit");
    }
}
