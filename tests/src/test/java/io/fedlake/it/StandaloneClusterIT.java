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
 * The cluster path: the shaded jar through a real spark-submit to a real standalone cluster (a master and two
 * workers, each its own JVM, on loopback: {@code tests/bin/spark-cluster.sh}), in client and in cluster deploy mode,
 * against a local[2] run of the same seed on the same data: credit with paramavg and fedavg within
 * {@value #AUC_TOLERANCE} AUC (measured: the same evaluation AUC to the last bit at every round), and imaging trained and scored by a driver
 * that runs in a worker.
 */
class StandaloneClusterIT {

    /**
     * How far a cluster run's holdout AUC may be from the local[2] run's. Same seed, data, split and task count (2
     * executors of 1 core against 2 local threads), but other JVMs and another task placement: the regimes promise
     * identical parameters for the same master only.
     */
    static final double AUC_TOLERANCE = 0.02;

    @TempDir
    static Path tmp;
    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 2, "2g");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientModeTrainsCreditWithParamavgAndFedavgAndScoresItLikeALocalRun() throws Exception {
        String onCluster = tmp.resolve("lake-cluster").toString();
        String local = tmp.resolve("lake-local").toString();
        List<String> clusterArgs = cluster.submitArgs(2);
        ok(SparkSubmit.run(tmp, List.of(), clusterArgs, java.util.Map.of(), "generate", "--lake", onCluster, "--domain", "credit", "--rows", "4000"));
        // the local run reads a copy of the same Delta table (generation is row-deterministic, a copy saves a run)
        copy(Path.of(onCluster, "raw/credit"), Path.of(local, "raw/credit"));

        for (List<String> regime : List.of(List.of("--regime", "paramavg", "--epochs", "3"), List.of("--regime", "fedavg", "--rounds", "4"))) {
            List<String> train = new ArrayList<>(List.of("train", "--domain", "credit", "--no-baseline"));
            train.addAll(regime);
            List<String> c = new ArrayList<>(train);
            c.addAll(List.of("--lake", onCluster));
            List<String> l = new ArrayList<>(train);
            l.addAll(List.of("--lake", local));
            SparkSubmit.Result r = ok(SparkSubmit.run(tmp, List.of(), clusterArgs, java.util.Map.of(), c.toArray(String[]::new)));
            SparkSubmit.Result lr = ok(SparkSubmit.run(tmp, l.toArray(String[]::new)));
            double clusterAuc = auc(r);
            double localAuc = auc(lr);
            System.out.printf("StandaloneClusterIT %s: holdout AUC cluster %.4f, local %.4f%n", regime.get(1), clusterAuc, localAuc);
            assertTrue(clusterAuc > 0.7, regime + ": the cluster run learned: " + clusterAuc);
            assertTrue(Math.abs(clusterAuc - localAuc) <= AUC_TOLERANCE, regime + ": cluster " + clusterAuc + " vs local " + localAuc);
        }
        // Same seed, data and task layout (2 tasks, 1 ND4J thread each): the same parameters at every round, seen as the
        // same evaluation AUC to the last bit. The mean training loss is a double sum over tasks in the order they
        // finish, so it may differ in its last digits (measured: below 1e-9).
        String rounds = "SELECT regime, round, holdout_auc, train_loss FROM training.rounds ORDER BY regime, round";
        List<String[]> clusterRounds = ok(SparkSubmit.run(tmp, List.of(), clusterArgs, java.util.Map.of(), "sql", "--lake", onCluster, rounds))
                .stdout().lines().skip(1).map(l -> l.split("\t")).toList();
        List<String[]> localRounds = ok(SparkSubmit.run(tmp, "sql", "--lake", local, rounds)).stdout().lines().skip(1).map(l -> l.split("\t")).toList();
        assertTrue(clusterRounds.size() > 6, "rounds of both regimes");
        assertEquals(localRounds.size(), clusterRounds.size());
        for (int i = 0; i < localRounds.size(); i++) {
            String[] c = clusterRounds.get(i);
            String[] l = localRounds.get(i);
            String where = String.join(" ", c) + " vs " + String.join(" ", l);
            assertEquals(List.of(l[0], l[1], l[2]), List.of(c[0], c[1], c[2]), "the same evaluation to the last bit: " + where);
            assertEquals(Double.parseDouble(l[3]), Double.parseDouble(c[3]), 1e-8, where);
        }
        SparkSubmit.Result score = ok(SparkSubmit.run(tmp, List.of(), clusterArgs, java.util.Map.of(), "score", "--lake", onCluster,
                "--model", "credit-mlp:1", "--all-dates", "--date", "2026-12-04"));
        assertTrue(score.line("scored raw.credit").contains("4,000 read = 4,000 scored + 0 quarantined"), score.tail());
        SparkSubmit.Result check = ok(SparkSubmit.run(tmp, List.of(), clusterArgs, java.util.Map.of(), "sql", "--lake", onCluster,
                "SELECT count(*) AS n, count(DISTINCT application_id) AS k, count(DISTINCT model_version) AS m FROM scores.credit"));
        assertTrue(check.stdout().lines().anyMatch(line -> line.matches("^\\s*4000\\s+4000\\s+1\\s*$")), check.tail());
    }

    @Test
    void clusterDeployModeTrainsAndScoresTheImagingDomainInAWorkersDriver() throws Exception {
        String onCluster = tmp.resolve("lake-imaging").toString();
        ok(SparkSubmit.run(tmp, List.of(), cluster.submitArgs(2), java.util.Map.of(), "generate", "--lake", onCluster, "--domain", "imaging",
                "--rows", "240"));
        // the driver takes one core of a worker: 2 cores are left for the executors
        SparkSubmit.Result train = ok(SparkSubmit.runInCluster(tmp, cluster.dir, cluster.master, executors(), "train", "--lake", onCluster,
                "--domain", "imaging", "--regime", "fedavg", "--rounds", "1", "--no-baseline"));
        assertTrue(train.stdout().contains("training imaging-fusion on raw.imaging with fedavg"), train.tail());
        assertTrue(train.stdout().lines().anyMatch(l -> l.startsWith("model imaging-fusion:1 → ")), train.tail());
        SparkSubmit.Result score = ok(SparkSubmit.runInCluster(tmp, cluster.dir, cluster.master, executors(), "score", "--lake", onCluster,
                "--domain", "imaging", "--model", "imaging-fusion:1", "--all-dates", "--date", "2026-12-04"));
        assertTrue(score.line("scored raw.imaging").contains("240 read = 240 scored + 0 quarantined"), score.tail());
    }

    /**
     * An executor (1 GB of heap) given an image batch it cannot hold: its tasks fail with the batch size advice, the
     * executors stay (an OutOfMemoryError left to Spark would kill each in turn), and the job ends instead of hanging.
     */
    @Test
    void anOversizedImageBatchFailsItsTasksWithBatchSizeAdviceAndLosesNoExecutor() throws Exception {
        String onCluster = tmp.resolve("lake-oom").toString();
        List<String> args = cluster.submitArgs(2);
        ok(SparkSubmit.run(tmp, List.of(), args, java.util.Map.of(), "generate", "--lake", onCluster, "--domain", "imaging", "--rows", "120"));
        ok(SparkSubmit.run(tmp, List.of(), args, java.util.Map.of(), "train", "--lake", onCluster, "--domain", "imaging", "--regime", "fedavg",
                "--rounds", "1", "--no-baseline"));
        // 100,000 rows × 64×64 floats: a 1.6 GB input buffer in a 1 GB heap
        long t0 = System.nanoTime();
        SparkSubmit.Result r = SparkSubmit.run(tmp, List.of(), args, java.util.Map.of(), "score", "--lake", onCluster, "--domain", "imaging",
                "--model", "imaging-fusion:1", "--all-dates", "--date", "2026-12-04", "--batch-size", "100000");
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<String> error = r.stderr().lines().filter(l -> l.startsWith("fedlake: error: ")).toList();
        System.out.printf("StandaloneClusterIT: an oversized batch failed in %.1f s with: %s%n", seconds, error);
        assertEquals(1, r.code(), r.tail());
        assertEquals(1, error.size(), r.tail());
        assertTrue(error.get(0).contains("a batch of 100,000 rows does not fit in this task's memory")
                && error.get(0).contains("smaller --batch-size, e.g. 25,000"), error.get(0));
        assertTrue(!r.stderr().contains("ExecutorLostFailure") && !r.stderr().contains("Lost executor"), "an executor died:\n" + r.tail());
        assertTrue(!java.nio.file.Files.exists(Path.of(onCluster, "scores/imaging/_delta_log/00000000000000000001.json")),
                "the failed run committed scores");
    }

    private static void copy(Path from, Path to) throws java.io.IOException {
        java.nio.file.Files.createDirectories(to.getParent());
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from)) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, to.resolve(from.relativize(f).toString()));
            }
        }
    }

    private static List<String> executors() {
        return List.of("--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
                "--driver-memory", "1g");
    }

    private static SparkSubmit.Result ok(SparkSubmit.Result r) {
        assertEquals(0, r.code(), r.tail());
        return r;
    }

    private static double auc(SparkSubmit.Result r) {
        Matcher m = Pattern.compile("AUC (\\d\\.\\d+)").matcher(r.line("holdout: "));
        assertTrue(m.find(), r.line("holdout: "));
        return Double.parseDouble(m.group(1));
    }
}
