package io.fedlake.it;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of whole jobs under a real spark-submit ({@code local[2]}), each killed with SIGKILL as a crashed machine
 * or an operator's {@code kill -9} would: the driver of a training run (it resumes from its last checkpoint and ends
 * with the parameters of an uninterrupted run), a scoring job after some of its tasks wrote files (the date keeps its
 * old complete scores; a rerun leaves exactly the input's rows), and scoring jobs racing each other for different dates
 * and for the same date (all commit, the loser writes again; no row lost or doubled). What each lost: nothing.
 */
class JobFaultsIT extends LocalSparkTest {

    static final int ROWS = 40_000;
    static final String[] TRAIN = {"--domain", "credit", "--regime", "paramavg", "--epochs", "1", "--batch-size", "64", "--no-baseline"};

    static Path lake;
    static String calmSha;

    @BeforeAll
    static void lakeWithAnUninterruptedRun() throws Exception {
        lake = tmp.resolve("lake");
        // 8 partitions: a scoring job is 8 tasks, so a kill after the first files leaves most of them unwritten
        ok(SparkSubmit.run(tmp, "generate", "--lake", lake.toString(), "--domain", "credit", "--rows", String.valueOf(ROWS), "--partitions", "8"));
        SparkSubmit.Result calm = ok(SparkSubmit.run(tmp, train("--name", "credit-calm")));
        calmSha = sha256(calm);
    }

    @Test
    void aTrainingDriverKilledMidRunResumesFromItsLastCheckpointToTheUninterruptedParameters() throws Exception {
        SparkSubmit.Running run = SparkSubmit.start(tmp, List.of(), List.of(), java.util.Map.of(), train("--name", "credit-killed"));
        int killedAfter = 12;
        assertTrue(run.awaitLine("^  round " + killedAfter + "/", 300), "training never reached round " + killedAfter);
        SparkSubmit.Result killed = run.kill();
        Matcher id = Pattern.compile("\\(run (\\S+)\\)").matcher(killed.stdout());
        assertTrue(id.find(), killed.tail());
        assertFalse(killed.stdout().contains("model credit-killed:"), "the run registered a model before it was killed:\n" + killed.tail());

        SparkSubmit.Result resumed = ok(SparkSubmit.run(tmp, train("--name", "credit-killed", "--resume", id.group(1))));
        Matcher from = Pattern.compile("resumed from the checkpoint of round (\\d+)/(\\d+)").matcher(resumed.stdout());
        assertTrue(from.find(), resumed.tail());
        int checkpoint = Integer.parseInt(from.group(1));
        int total = Integer.parseInt(from.group(2));
        System.out.printf("JobFaultsIT: driver killed after round %d of %d printed; resumed from the checkpoint of round %d%n", killedAfter, total, checkpoint);
        assertTrue(checkpoint >= killedAfter - 1 && checkpoint < total, "at most one round lost: killed after round " + killedAfter + ", resumed from " + checkpoint);
        assertEquals(calmSha, sha256(resumed), "the resumed run's network is the uninterrupted run's, bit for bit");

        Row rounds = spark.read().format("delta").load(lake.resolve("training/rounds").toString()).where("run_id = '" + id.group(1) + "'")
                .selectExpr("count(*)", "count(DISTINCT round)", "min(round)", "max(round)").head();
        assertEquals(List.of((long) total, (long) total, 1, total), List.of(rounds.getLong(0), rounds.getLong(1), rounds.getInt(2), rounds.getInt(3)),
                "every round of the killed run in training.rounds once");
    }

    @Test
    void aScoringJobKilledAfterItsFirstFilesLeavesTheOldScoresAndARerunTheExactInput() throws Exception {
        String date = "2026-01-10";
        ok(SparkSubmit.run(tmp, score(date)));
        Path partition = lake.resolve("scores/credit/logical_date=" + date);
        long versionBefore = latestVersion();
        String oldRun = onlyRun(date);
        Set<String> before = dataFiles(partition);

        SparkSubmit.Running run = SparkSubmit.start(tmp, List.of(), List.of(), java.util.Map.of(), score(date));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        Set<String> written = Set.of();
        while (written.isEmpty() && System.nanoTime() < deadline && run.alive()) {
            written = newFiles(partition, before);
            Thread.sleep(20); // polling for the first file a task writes; the kill must land before the commit
        }
        assertFalse(written.isEmpty(), "the rerun wrote no file before it ended");
        run.kill();
        int orphans = newFiles(partition, before).size();
        System.out.printf("JobFaultsIT: scoring killed after its tasks wrote %d file(s); the Delta log stayed at version %d%n", orphans, latestVersion());

        // the date still holds the first run's complete set: the killed job committed nothing
        assertEquals(versionBefore, latestVersion(), "a killed job must not commit");
        assertExactlyTheInput(date);
        assertEquals(oldRun, onlyRun(date));

        ok(SparkSubmit.run(tmp, score(date)));
        assertExactlyTheInput(date);
        assertFalse(oldRun.equals(onlyRun(date)), "the rerun's rows replaced the old ones");
    }

    @Test
    void scoringJobsRacingForDifferentDatesAndForOneDateAllCommitWithNothingLostOrDoubled() throws Exception {
        List<String> dates = List.of("2026-02-01", "2026-02-02", "2026-02-03", "2026-02-03");
        List<SparkSubmit.Running> runs = new java.util.ArrayList<>();
        for (String date : dates) {
            runs.add(SparkSubmit.start(tmp, List.of(), List.of("--driver-memory", "1g"), java.util.Map.of(), score(date)));
        }
        String log = "";
        for (SparkSubmit.Running r : runs) {
            log += ok(r.await()).stderr();
        }
        for (String date : Set.copyOf(dates)) {
            assertExactlyTheInput(date);
        }
        // the two runs of 2026-02-03 overlapped: one commit conflicted and that run wrote the date again
        assertTrue(log.contains("/scores/credit for 2026-02-03 conflicted with a concurrent writer"), "no conflict seen:\n" + log);
    }

    /** The date's rows are exactly the input's: every key once, one scoring run, all of them scored (no quarantine here). */
    private static void assertExactlyTheInput(String date) {
        Dataset<Row> day = spark.read().format("delta").load(lake.resolve("scores/credit").toString()).where("logical_date = DATE'" + date + "'");
        Row r = day.selectExpr("count(*)", "count(DISTINCT application_id)", "count(DISTINCT job_run_id)").head();
        assertEquals(List.of((long) ROWS, (long) ROWS, 1L), List.of(r.getLong(0), r.getLong(1), r.getLong(2)), date + ": rows, distinct keys, runs");
        long missing = spark.read().format("delta").load(lake.resolve("raw/credit").toString()).join(day, "application_id", "left_anti").count();
        assertEquals(0, missing, date + ": input rows with no score");
    }

    private static String onlyRun(String date) {
        return spark.read().format("delta").load(lake.resolve("scores/credit").toString()).where("logical_date = DATE'" + date + "'")
                .select("job_run_id").distinct().head().getString(0);
    }

    private static long latestVersion() throws IOException {
        try (Stream<Path> log = Files.list(lake.resolve("scores/credit/_delta_log"))) {
            return log.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{20}\\.json"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElse(-1);
        }
    }

    private static Set<String> dataFiles(Path partition) throws IOException {
        if (!Files.isDirectory(partition)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(partition)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).collect(Collectors.toSet());
        }
    }

    private static Set<String> newFiles(Path partition, Set<String> before) throws IOException {
        return dataFiles(partition).stream().filter(n -> !before.contains(n)).collect(Collectors.toSet());
    }

    private static String[] score(String date) {
        return new String[]{"score", "--lake", lake.toString(), "--domain", "credit", "--model", "credit-calm", "--date", date, "--all-dates"};
    }

    private static String[] train(String... more) {
        return Stream.concat(Stream.of("train", "--lake", lake.toString()), Stream.concat(Stream.of(TRAIN), Stream.of(more))).toArray(String[]::new);
    }

    private static String sha256(SparkSubmit.Result r) {
        Matcher m = Pattern.compile("\\(sha256 ([0-9a-f]{64})\\)").matcher(r.line("model "));
        assertTrue(m.find(), r.line("model "));
        return m.group(1);
    }

    private static SparkSubmit.Result ok(SparkSubmit.Result r) {
        assertEquals(0, r.code(), r.tail());
        return r;
    }
}
