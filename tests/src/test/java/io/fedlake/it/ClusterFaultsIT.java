package io.fedlake.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on the standalone cluster ({@code tests/bin/spark-cluster.sh}, three workers): a worker JVM and its
 * executors killed with SIGKILL in the middle of training, as a crashed machine. Spark reschedules the lost tasks
 * (the encoded shards are recomputed from the table), the run completes, and nothing is lost: every round is in
 * {@code training.rounds} once, and the holdout AUC is that of an undisturbed run within 0.01.
 */
class ClusterFaultsIT {

    static final double AUC_TOLERANCE = 0.01;

    @TempDir
    static Path tmp;
    static StandaloneCluster cluster;
    static String lake;

    @BeforeAll
    static void startCluster() throws Exception {
        // 3 workers of 1 core: an application of 2 cores runs on two of them; after one is killed the third takes over
        cluster = StandaloneCluster.start(tmp.resolve("cluster"), 3, 1, "1536m");
        lake = tmp.resolve("lake").toString();
        assertEquals(0, SparkSubmit.run(tmp, List.of(), cluster.submitArgs(2), java.util.Map.of(), "generate", "--lake", lake,
                "--domain", "credit", "--rows", "4000").code());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWorkerKilledInTheMiddleOfParamavgTrainingLosesNothing() throws Exception {
        survivesAKilledWorker("paramavg", List.of("--regime", "paramavg", "--epochs", "3"));
    }

    @Test
    void aWorkerKilledInTheMiddleOfFedavgTrainingLosesNothing() throws Exception {
        survivesAKilledWorker("fedavg", List.of("--regime", "fedavg", "--rounds", "5"));
    }

    private void survivesAKilledWorker(String regime, List<String> options) throws Exception {
        List<String> undisturbed = new ArrayList<>(List.of("train", "--lake", lake, "--domain", "credit", "--no-baseline", "--name", regime + "-calm"));
        undisturbed.addAll(options);
        SparkSubmit.Result calm = SparkSubmit.run(tmp, List.of(), cluster.submitArgs(2), java.util.Map.of(), undisturbed.toArray(String[]::new));
        assertEquals(0, calm.code(), calm.tail());

        List<String> disturbed = new ArrayList<>(List.of("train", "--lake", lake, "--domain", "credit", "--no-baseline", "--name", regime + "-killed"));
        disturbed.addAll(options);
        SparkSubmit.Running run = SparkSubmit.start(tmp, List.of(), cluster.submitArgs(2), java.util.Map.of(), disturbed.toArray(String[]::new));
        assertTrue(run.awaitLine("^  round 2/", 300), "training never reached its second round");
        List<Integer> running = cluster.workersOfNewestApp();
        assertEquals(2, running.size(), "the run's two executors on two workers: " + running);
        cluster.killWorker(running.get(0));
        SparkSubmit.Result killed = run.await();
        assertEquals(0, killed.code(), killed.tail());
        assertTrue(killed.stderr().contains("Lost executor") || killed.stderr().contains("lost executor")
                || killed.stderr().contains("ExecutorLostFailure") || killed.stderr().contains("Executor lost"),
                "the application saw its executor go:\n" + killed.tail());

        double calmAuc = auc(calm);
        double killedAuc = auc(killed);
        System.out.printf("ClusterFaultsIT %s: holdout AUC undisturbed %.4f, worker killed %.4f%n", regime, calmAuc, killedAuc);
        assertTrue(Math.abs(calmAuc - killedAuc) <= AUC_TOLERANCE, regime + ": undisturbed " + calmAuc + ", killed " + killedAuc);

        // every round once, none lost or doubled (the round that lost a worker shows as the slowest: printed)
        SparkSubmit.Result rounds = SparkSubmit.run(tmp, List.of(), cluster.submitArgs(2), java.util.Map.of(), "sql", "--lake", lake,
                "SELECT model_name, count(*), count(DISTINCT round), max(round), max(round_seconds) FROM training.rounds GROUP BY model_name ORDER BY model_name");
        assertEquals(0, rounds.code(), rounds.tail());
        String calmRow = row(rounds, regime + "-calm");
        String killedRow = row(rounds, regime + "-killed");
        System.out.println("ClusterFaultsIT " + regime + " rounds: " + calmRow + " | " + killedRow);
        String[] c = calmRow.split("\t");
        String[] k = killedRow.split("\t");
        assertEquals(c[1], c[2], calmRow);
        assertEquals(List.of(c[1], c[2], c[3]), List.of(k[1], k[2], k[3]), "the same rounds, each once: " + calmRow + " | " + killedRow);
    }

    private static String row(SparkSubmit.Result r, String model) {
        return r.stdout().lines().filter(l -> l.startsWith(model + "\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no rounds of " + model + ":\n" + r.tail()));
    }

    private static double auc(SparkSubmit.Result r) {
        Matcher m = Pattern.compile("AUC (\\d\\.\\d+)").matcher(r.line("holdout: "));
        assertTrue(m.find(), r.line("holdout: "));
        return Double.parseDouble(m.group(1));
    }
}
