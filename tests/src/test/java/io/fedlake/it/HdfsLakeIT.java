package io.fedlake.it;

import io.fedlake.testing.LocalSparkTest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lake on HDFS: a NameNode and two DataNodes of {@code hadoop-client-minicluster} in this JVM, on 127.0.0.1, and
 * every command a real spark-submit with {@code --lake hdfs://127.0.0.1:PORT/lake}: generate, train with the three
 * regimes (fedavg killed and resumed from its checkpoint on HDFS), score, features and sql, against a local lake
 * given the same table: the same parameters to the last bit where the regime promises it (paramavg and fedavg on
 * the same master). Delta writes its log through its HDFS log store. A NameNode restarted in the middle of a
 * scoring run: the run completes or fails in one line, and the table is never corrupt (Spark and delta-rs read it).
 */
class HdfsLakeIT extends LocalSparkTest {

    static final int ROWS = 4_000;

    static MiniDFSCluster hdfs;
    static FileSystem fs;
    static String lake;
    static Path local;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // a fixed port: a restarted NameNode comes back where the clients look for it
        }
        hdfs = new MiniDFSCluster.Builder(conf).nameNodePort(port).numDataNodes(2).build();
        hdfs.waitActive();
        lake = "hdfs://127.0.0.1:" + port + "/lake";
        fs = FileSystem.get(URI.create(lake), conf);
        local = tmp.resolve("lake-local");

        SparkSubmit.Result generate = ok(SparkSubmit.run(tmp, "--verbose", "generate", "--lake", lake, "--domain", "credit", "--rows", String.valueOf(ROWS)));
        assertTrue(generate.stderr().lines().anyMatch(l -> l.contains("HDFSLogStore") && l.contains("hdfs")), "Delta's HDFS log store:\n" + generate.tail());
        // the local run reads a copy of the very same table
        fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(lake + "/raw/credit"), new org.apache.hadoop.fs.Path(local.resolve("raw/credit").toUri()), true);
    }

    @AfterAll
    static void stopHdfs() throws IOException {
        if (fs != null) {
            fs.close();
        }
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
    }

    @Test
    void everyCommandRunsOnAnHdfsLakeAsOnALocalOne() throws Exception {
        // paramavg: the same parameters from the HDFS lake as from the local one
        String[] paramavg = {"train", "--domain", "credit", "--regime", "paramavg", "--epochs", "2", "--no-baseline", "--name", "credit-pa"};
        String onHdfs = sha256(ok(SparkSubmit.run(tmp, with(paramavg, "--lake", lake))));
        assertEquals(sha256(ok(SparkSubmit.run(tmp, with(paramavg, "--lake", local.toString())))), onHdfs, "paramavg: HDFS lake vs local lake");

        // fedavg, its driver killed after round 2 and resumed from the checkpoint it keeps on HDFS
        String[] fedavg = {"train", "--domain", "credit", "--regime", "fedavg", "--rounds", "4", "--no-baseline", "--name", "credit-fa"};
        String uninterrupted = sha256(ok(SparkSubmit.run(tmp, with(fedavg, "--lake", local.toString()))));
        SparkSubmit.Running run = SparkSubmit.start(tmp, List.of(), List.of(), java.util.Map.of(), with(fedavg, "--lake", lake));
        assertTrue(run.awaitLine("^  round 2/4", 300), "fedavg never reached round 2");
        SparkSubmit.Result killed = run.kill();
        Matcher id = Pattern.compile("\\(run (\\S+)\\)").matcher(killed.stdout());
        assertTrue(id.find(), killed.tail());
        List<String> kept = list(lake + "/_runs/" + id.group(1));
        assertFalse(kept.isEmpty(), "the killed run kept nothing on HDFS");
        SparkSubmit.Result resumed = ok(SparkSubmit.run(tmp, with(fedavg, "--lake", lake, "--resume", id.group(1))));
        assertTrue(resumed.stdout().contains("resumed from the checkpoint of round"), resumed.tail());
        assertEquals(uninterrupted, sha256(resumed), "fedavg resumed on HDFS vs uninterrupted on the local lake");
        System.out.printf("HdfsLakeIT: fedavg killed after round 2 kept %s on HDFS; resumed: %s%n", kept,
                resumed.stdout().lines().filter(l -> l.contains("resumed from")).findFirst().orElse(""));

        // dl4j-spark's trainer exports its minibatches under the run directory, on HDFS here
        SparkSubmit.Result dl4j = ok(SparkSubmit.run(tmp, "train", "--lake", lake, "--domain", "credit", "--regime", "dl4j-paramavg", "--epochs", "1",
                "--no-baseline", "--name", "credit-dl4j"));
        assertTrue(auc(dl4j) > 0.7, dl4j.line("holdout: "));

        SparkSubmit.Result score = ok(SparkSubmit.run(tmp, "score", "--lake", lake, "--domain", "credit", "--model", "credit-pa:1", "--all-dates",
                "--date", "2026-12-04"));
        assertTrue(score.line("scored raw.credit").contains(String.format("%,d read = %,d scored + 0 quarantined", ROWS, ROWS)), score.tail());
        SparkSubmit.Result features = ok(SparkSubmit.run(tmp, "features", "materialize", "--lake", lake, "--view", "credit_branch_activity",
                "--from", "2025-01-01", "--to", "2025-12-31"));
        assertTrue(features.line("materialized ").startsWith("materialized features.credit_branch_activity 2025-01-01..2025-12-31"), features.tail());

        SparkSubmit.Result sql = ok(SparkSubmit.run(tmp, "sql", "--lake", lake, "SELECT (SELECT count(DISTINCT application_id) FROM scores.credit) AS scored, "
                + "(SELECT count(*) FROM registry.models WHERE name IN ('credit-pa', 'credit-fa', 'credit-dl4j')) AS models, (SELECT count(*) FROM features.credit_branch_activity) > 0 AS features"));
        assertTrue(sql.stdout().lines().anyMatch(l -> l.matches("^\\s*" + ROWS + "\\s+3\\s+true\\s*$")), sql.tail());
        for (String dir : List.of("raw/credit/_delta_log", "scores/credit/_delta_log", "models/credit-pa", "registry/models/_delta_log",
                "training/rounds/_delta_log", "features/credit_branch_activity/_delta_log")) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(lake + "/" + dir)), dir + " on HDFS");
        }
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(lake + "/_runs/" + id.group(1))), "a finished run leaves no run directory");
    }

    @Test
    void aNameNodeRestartedDuringScoringLeavesATableThatSparkAndDeltaRsRead() throws Exception {
        String model = "credit-nn";
        ok(SparkSubmit.run(tmp, "train", "--lake", lake, "--domain", "credit", "--regime", "paramavg", "--epochs", "1", "--no-baseline", "--name", model));
        String date = "2026-12-05";
        String partition = lake + "/scores/credit/logical_date=" + date;
        SparkSubmit.Running run = SparkSubmit.start(tmp, List.of(), List.of(), java.util.Map.of(), "score", "--lake", lake, "--domain", "credit",
                "--model", model + ":1", "--all-dates", "--date", date);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (list(partition).isEmpty() && System.nanoTime() < deadline && run.alive()) {
            Thread.sleep(50); // polling HDFS for the scorer's first file
        }
        assertTrue(run.alive(), "the scorer finished before the NameNode could be restarted in its middle");
        long t0 = System.nanoTime();
        hdfs.restartNameNode(true);
        System.out.printf("HdfsLakeIT: NameNode restarted in %.1f s while the scorer had written %d file(s)%n", (System.nanoTime() - t0) / 1e9,
                list(partition).size());
        SparkSubmit.Result scored = run.await();
        List<String> errors = scored.stderr().lines().filter(l -> l.startsWith("fedlake: ")).toList();
        assertTrue(scored.code() == 0 || (scored.code() == 1 && errors.size() == 1), "completes, or fails in one line:\n" + scored.tail());

        // Spark reads the table: the date holds the whole input (the run committed) or nothing (it did not)
        long rows = spark.read().format("delta").load(lake + "/scores/credit").where("logical_date = DATE'" + date + "'").count();
        assertEquals(scored.code() == 0 ? ROWS : 0, rows, "rows of " + date + " after a run that exited " + scored.code());
        // and so does delta-rs, from a copy of the table's files
        Path copy = tmp.resolve("scores-copy");
        fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(lake + "/scores/credit"), new org.apache.hadoop.fs.Path(copy.toUri()), true);
        String python = python();
        String json = exec(List.of(python, SparkSubmit.ROOT.resolve("tests/bin/read_delta.py").toString(), copy.toString(), "application_id"));
        Matcher perDate = Pattern.compile("\"" + date + "\": (\\d+)").matcher(json);
        assertEquals(rows, perDate.find() ? Long.parseLong(perDate.group(1)) : 0L, "delta-rs rows of " + date + ": " + json);
        System.out.printf("HdfsLakeIT: the scoring run exited %d %s; %s holds %d rows for Spark and for delta-rs%n", scored.code(), errors, date, rows);
    }

    private static List<String> list(String dir) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
        if (!fs.exists(p)) {
            return List.of();
        }
        return Arrays.stream(fs.listStatus(p)).map(s -> s.getPath().getName()).sorted().collect(Collectors.toList());
    }

    private static String python() throws IOException, InterruptedException {
        return exec(List.of("bash", SparkSubmit.ROOT.resolve("tests/bin/deltars-venv.sh").toString())).strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), cmd.toString());
        assertEquals(0, p.exitValue(), cmd + ":\n" + out);
        return out;
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    private static String sha256(SparkSubmit.Result r) {
        Matcher m = Pattern.compile("\\(sha256 ([0-9a-f]{64})\\)").matcher(r.line("model "));
        assertTrue(m.find(), r.line("model "));
        return m.group(1);
    }

    private static double auc(SparkSubmit.Result r) {
        Matcher m = Pattern.compile("AUC (\\d\\.\\d+)").matcher(r.line("holdout: "));
        assertTrue(m.find(), r.line("holdout: "));
        return Double.parseDouble(m.group(1));
    }

    private static SparkSubmit.Result ok(SparkSubmit.Result r) {
        assertEquals(0, r.code(), r.tail());
        return r;
    }
}
