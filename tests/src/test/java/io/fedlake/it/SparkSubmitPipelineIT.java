package io.fedlake.it;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar under a real spark-submit (Spark 3.5.5 distribution, Delta passed with --jars): this is what
 * catches classpath conflicts between DL4J, Delta and Spark before a user's cluster does.
 */
class SparkSubmitPipelineIT extends LocalSparkTest {

    /** Stated quality of the pipeline's credit model on 10,000 synthetic applications (measured 0.817 with dl4j-paramavg on local[2]). */
    static final double MIN_AUC = 0.78;

    @Test
    void pipelineThenDailyScoringRunUnderSparkSubmitIntoDeltaExactlyOnce() throws Exception {
        Path lake = tmp.resolve("lake");

        SparkSubmit.Result pipeline = SparkSubmit.run(tmp, "pipeline", "--lake", lake.toString(), "--domain", "credit", "--rows", "10000",
                "--date", "2026-11-23");

        assertEquals(0, pipeline.code(), pipeline.tail());
        assertQuietLog(pipeline);
        // not a terminal: the progress is a plain log line every 10 s (the pipeline runs for longer than that)
        assertTrue(pipeline.logLines("INFO").stream().anyMatch(l -> l.matches(".* INFO ProgressLine: pipeline  \\[[=> ]{20}] \\d+/\\d+ tasks  \\S+ rows.*")),
                pipeline.tail());
        List<String> summary = List.of("fedlake pipeline: credit, logical date 2026-11-23,", "credit (run ", "  data      generated raw.credit:",
                "  train     credit-mlp with paramavg,", "  evaluate  holdout AUC", "  register  credit-mlp:1 sha256",
                "  promote   gate passed: credit-mlp@champion → credit-mlp:1 (first champion)", "  score     scores.credit for 2026-11-23 with credit-mlp:1:",
                "summary", "  domain ", "  credit ", "pipeline finished: 1 domain(s)");
        assertEquals(summary, summaryLinesStartingWith(pipeline, summary.toArray(String[]::new)), pipeline.tail());
        Matcher m = Pattern.compile("^  credit +([\\d,]+) +AUC ([\\d.]+) +credit-mlp:1 +credit-mlp:1 +paramavg +[\\d.]+ s +scores.credit +([\\d,]+) +v(\\d+)$")
                .matcher(pipeline.line("  credit "));
        assertTrue(m.find(), pipeline.line("  credit "));
        assertEquals(10_000, number(m.group(1)));
        double auc = Double.parseDouble(m.group(2));
        long scored = number(m.group(3));
        assertTrue(auc >= MIN_AUC, "holdout AUC " + auc + " < " + MIN_AUC);

        Dataset<Row> scores = spark.read().format("delta").load(lake.resolve("scores/credit").toString());
        assertEquals(scored, scores.count());
        assertTrue(scored > 1_500 && scored < 2_500, "about 20 % held out, got " + scored);
        assertEquals(1, scores.select("model_sha256", "model_version", "training_run_id", "job_run_id").distinct().count());
        assertEquals(0, scores.where("probability IS NULL OR probability < 0 OR probability > 1 OR input_version IS NULL").count());

        // Daily scoring of one logical date with the trained model, twice: the rerun must replace, not append.
        long expected = spark.read().format("delta").load(lake.resolve("raw/credit").toString()).where("application_date = DATE'2025-03-14'").count();
        assertTrue(expected > 0, "the synthetic data should have applications on 2025-03-14");
        for (int run = 1; run <= 2; run++) {
            SparkSubmit.Result score = SparkSubmit.run(tmp, "score", "--lake", lake.toString(), "--model", "credit-mlp", "--date", "2025-03-14");
            assertEquals(0, score.code(), score.tail());
            assertQuietLog(score);
            assertTrue(score.line("scored raw.credit for 2025-03-14").contains(String.format("%,d read = %,d scored + 0 quarantined", expected, expected)),
                    score.line("scored raw.credit"));
        }
        Dataset<Row> day = spark.read().format("delta").load(lake.resolve("scores/credit").toString()).where("logical_date = DATE'2025-03-14'");
        assertEquals(expected, day.count());
        assertEquals(1, day.select("job_run_id").distinct().count());
        assertEquals(scored, spark.read().format("delta").load(lake.resolve("scores/credit").toString()).where("logical_date = DATE'2026-11-23'").count());
    }

    /**
     * Under spark-submit the job's console log is Fedlake's quiet profile: no INFO line of Spark's, and no WARN line
     * but the one spark-submit itself logs before Fedlake's main runs (Hadoop has no native library here).
     */
    private static void assertQuietLog(SparkSubmit.Result run) {
        assertEquals(List.of(), run.logLines("INFO").stream().filter(l -> !l.contains(" INFO ScoringJob: ") && !l.contains(" INFO ProgressLine: ")).toList(),
                run.tail());
        assertEquals(List.of(), run.logLines("WARN").stream().filter(l -> !l.contains(" WARN NativeCodeLoader: ")).toList(), run.tail());
    }

    /** The prefixes, in stdout order, that some stdout line starts with: Fedlake's summary lines arrive whole and in order. */
    private static List<String> summaryLinesStartingWith(SparkSubmit.Result run, String... prefixes) {
        List<String> found = new java.util.ArrayList<>();
        for (String line : run.stdout().lines().toList()) {
            for (String prefix : prefixes) {
                if (line.startsWith(prefix)) {
                    found.add(prefix);
                }
            }
        }
        return found;
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }
}
