package io.fedlake.train;

import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A driver killed between two commits of {@code training.rounds} loses no round: the rows a checkpoint carries are
 * committed on resume, once, and the rows of rounds after it are removed.
 */
class RoundLogTest extends LocalSparkTest {

    private static RoundLog.Round round(int n) {
        return new RoundLog.Round(n, 1, 1, 0.5 / n, null, 2, 2, 100, 0, null, null, 0.1, 0, List.of());
    }

    private static List<Integer> rounds(Lake lake, String run) {
        if (!lake.exists(RoundLog.TABLE)) {
            return List.of();
        }
        return lake.spark().read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where("run_id = '" + run + "'").orderBy("round")
                .select("round").collectAsList().stream().map(r -> r.getInt(0)).toList();
    }

    private static RoundLog log(Lake lake, String run, List<String> lines) {
        return new RoundLog(lake, run, "m", "paramavg", "none", 6, lines::add, "holdout");
    }

    @Test
    void rowsNotYetCommittedWhenTheDriverDiedComeBackFromTheCheckpoint() {
        Lake lake = new Lake(spark, tmp.resolve("lake-killed").toString());
        List<String> lines = new ArrayList<>();
        RoundLog log = log(lake, "run-killed", lines);
        byte[] checkpointOf3 = null;
        for (int r = 1; r <= 4; r++) {
            log.stage(round(r));
            if (r <= 3) {
                checkpointOf3 = log.unflushed();   // what the checkpoint of round r carries
            }
            log.release();
        }
        assertEquals(List.of("round 1/6", "round 2/6", "round 3/6", "round 4/6"), lines.stream().map(l -> l.substring(0, 9)).toList());
        // killed here: nothing committed yet (the log commits every 15 s), and no close()
        assertEquals(List.of(), rounds(lake, "run-killed"));

        RoundLog resumed = log(lake, "run-killed", new ArrayList<>());
        resumed.resumeAfter(3, checkpointOf3);
        assertEquals(List.of(1, 2, 3), rounds(lake, "run-killed"));
        resumed.record(round(4));
        resumed.close();
        assertEquals(List.of(1, 2, 3, 4), rounds(lake, "run-killed"));
    }

    @Test
    void rowsCommittedBeforeTheCrashAreNeitherDoubledNorKeptPastTheCheckpoint() {
        Lake lake = new Lake(spark, tmp.resolve("lake-flushed").toString());
        RoundLog log = log(lake, "run-flushed", new ArrayList<>());
        byte[] checkpointOf2 = null;
        for (int r = 1; r <= 3; r++) {
            log.stage(round(r));
            if (r == 2) {
                checkpointOf2 = log.unflushed();
            }
            log.release();
            log.flush();   // committed after the checkpoint was written, before the crash
        }
        assertEquals(List.of(1, 2, 3), rounds(lake, "run-flushed"));

        log(lake, "run-flushed", new ArrayList<>()).resumeAfter(2, checkpointOf2);
        assertEquals(List.of(1, 2), rounds(lake, "run-flushed"));
    }
}
