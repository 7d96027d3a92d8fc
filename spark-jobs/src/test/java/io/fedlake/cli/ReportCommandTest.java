package io.fedlake.cli;

import io.fedlake.lake.SparkSessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fedlake report} on a small credit lake trained with federated averaging under differential privacy and
 * scored for one date: the model report recomputes the registered holdout AUC from the training table at its
 * recorded Delta version (rows appended since must not change it), and both reports hold their charts and sections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportCommandTest {

    @TempDir
    static Path tmp;

    private String[] common;
    private Path lake;
    private static final String DATE = "2025-07-16";

    @BeforeAll
    void lake() {
        lake = tmp.resolve("lake");
        common = new String[]{"--lake", lake.toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"};
        ok("generate", "--domain", "credit", "--rows", "4000");
        ok("train", "--domain", "credit", "--regime", "fedavg", "--rounds", "3", "--dp-noise", "0.5", "--dp-epsilon", "50", "--name", "credit-dp");
        ok("score", "--domain", "credit", "--model", "credit-dp", "--date", DATE);
        // a later version of the training table whose holdout rows are flipped copies: only a report that reads the
        // recorded version (time travel) still finds the registered AUC
        try (SparkSession spark = SparkSessions.create("append", "local[2]", Map.of(), Map.of("spark.ui.enabled", "false"))) {
            String path = lake.resolve("raw/credit").toUri().toString();
            Dataset<Row> raw = spark.read().format("delta").load(path);
            raw.withColumn("application_id", concat(col("application_id"), lit("-later")))
                    .withColumn("defaulted_12m", col("defaulted_12m").equalTo(0).cast("int"))
                    .write().format("delta").mode("append").save(path);
        }
    }

    @Test
    void modelReportRecomputesTheRegisteredAucAtTheRecordedVersionAndHoldsEverySection() throws IOException {
        CliRun r = ok("report", "--model", "credit-dp");
        Matcher m = Pattern.compile("holdout AUC ([0-9.]+) recomputed, ([0-9.]+) registered\\): file:(\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        Path html = Path.of(m.group(3));
        assertEquals(lake.resolve("reports/models/credit-dp/v1/report.html"), html);
        String page = Files.readString(html);
        int warn = page.indexOf("<p class=\"warn\">");
        assertEquals(-1, warn, () -> "a warning in a consistent lake: " + page.substring(warn, page.indexOf("</p>", warn)));
        assertEquals(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(1)), 1e-6, "recomputed vs registered holdout AUC");
        for (String section : new String[]{"Provenance", "Training regime and settings", "Library versions", "Training curves", "Holdout: p_default",
                "Confusion matrix at the decision threshold 0.20", "Metrics per client", "Reason codes among declines", "Score distribution per logical date",
                "Feature drift (PSI)", "baseline (MLlib", "noise multiplier", "the clients release no loss"}) {
            assertTrue(page.contains(section), "report lacks " + section);
        }
        assertEquals(List.of("holdout metric per round", "epsilon per round", "clients per round", "ROC curve",
                "precision-recall curve", "reliability diagram", "AUC per client", "reason code frequency", "score distribution over time", "feature drift"),
                figures(page));
    }

    @Test
    void scoresReportReconcilesTheDate() throws IOException {
        CliRun r = ok("report", "--scores", "credit", "--date", DATE);
        assertTrue(r.out().contains("reconciles): file:"), r.out());
        String page = Files.readString(lake.resolve("reports/scores/credit/" + DATE + "/report.html"));
        assertTrue(page.contains("yes: input = scored + quarantined"), "counts");
        assertTrue(page.contains("Against the training holdout of credit-dp:1"), "histogram against the holdout");
        assertEquals(List.of("reason code frequency", "score distribution against holdout", "feature drift"), figures(page));
    }

    @Test
    void reportOptionsAreUsageErrors() {
        assertUsage(CliRun.of("report"), "fedlake: give exactly one of --model NAME[:VERSION|@ALIAS] or --scores DOMAIN --date D");
        assertUsage(CliRun.of("report", "--model", "m", "--scores", "credit", "--date", DATE), "fedlake: give exactly one of --model NAME[:VERSION|@ALIAS] or --scores DOMAIN --date D");
        assertUsage(CliRun.of("report", "--scores", "credit"), "fedlake: --scores needs --date yyyy-MM-dd");
        assertUsage(CliRun.of("report", "--model", "m", "--date", DATE), "fedlake: --date applies to --scores, not to --model (the model report covers its latest scoring dates)");
        assertUsage(CliRun.of("report", "--model", "m", "--all-dates"), "fedlake: --all-dates applies to --scores, not to --model (the model report covers its latest scoring dates)");
        CliRun missing = run("report", "--model", "no-such-model");
        assertEquals(1, missing.code(), missing.err());
    }

    @Test
    void scoreOptionsThatDoNotApplyAreRefusedBeforeAnyScoring() {
        assertUsage(run("score", "--model", "credit-dp", "--date", DATE, "--explain-images", "0"), "fedlake: --explain-images must be within 1…500, got 0");
        assertUsage(run("score", "--model", "credit-dp", "--date", DATE, "--explain-images", "501"), "fedlake: --explain-images must be within 1…500, got 501");
        assertUsage(run("score", "--model", "credit-dp", "--date", DATE, "--reason-codes-for", "some"),
                "fedlake: --reason-codes-for must be adverse or all, got some");
        assertUsage(run("score", "--model", "credit-dp", "--date", DATE, "--reason-codes", "0", "--reason-codes-for", "all"),
                "fedlake: --reason-codes-for applies when reason codes are computed; --reason-codes is 0");
        long before = deltaVersions("scores/credit");
        CliRun r = run("score", "--model", "credit-dp", "--date", DATE, "--explain-images", "4");
        assertEquals(1, r.code(), r.err());
        assertEquals("fedlake: error: --explain-images explains a model with one image input; credit-dp has 0", r.err().strip());
        assertEquals(before, deltaVersions("scores/credit"), "a refused explanation wrote scores");
    }

    /** How many commits a Delta table's log holds. */
    private long deltaVersions(String table) {
        try (var files = Files.list(lake.resolve(table).resolve("_delta_log"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertUsage(CliRun r, String firstLine) {
        assertEquals(2, r.code(), r.err());
        assertEquals(firstLine, r.err().lines().findFirst().orElse(""));
    }

    /** The alt texts of the page's embedded PNG charts, in page order. */
    private static List<String> figures(String page) {
        return Pattern.compile("<img alt=\"([^\"]*)\" src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"").matcher(page).results().map(r -> r.group(1)).toList();
    }

    private CliRun run(String... args) {
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        return CliRun.of(all);
    }

    private CliRun ok(String... args) {
        CliRun r = run(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + "\n" + r.out() + "\n" + r.err());
        return r;
    }
}
