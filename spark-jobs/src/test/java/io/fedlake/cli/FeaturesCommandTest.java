package io.fedlake.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fedlake features …} end to end through {@link Fedlake#execute}. */
class FeaturesCommandTest {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private String[] common(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--lake", tmp.resolve("lake").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"));
        return all.toArray(String[]::new);
    }

    @Test
    void listAndValidateWorkWithoutSparkAndABrokenDefinitionIsOneLineNamingFileAndField() throws Exception {
        CliRun list = run("features", "list");
        assertEquals(0, list.code(), list.err());
        assertEquals(6, list.out().lines().count(), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("credit_branch_activity") && l.contains("branch_id") && l.contains("raw.credit")), list.out());

        CliRun ok = run("features", "validate");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("ok: 5 views, "), ok.out());

        Path dir = Files.createDirectories(tmp.resolve("defs"));
        Files.writeString(dir.resolve("broken.yaml"), """
                name: broken
                version: 1
                description: d
                owner: o
                entity: e
                join_keys: [k]
                source: raw.x
                event_timestamp: ts
                ttl: 3 weeks
                features:
                  - {name: f, expr: x}
                """);
        CliRun bad = run("features", "validate", "--definitions", dir.toString());
        assertEquals(1, bad.code());
        assertEquals("fedlake: error: broken.yaml: ttl: bad duration '3 weeks' (expected a positive number and a unit d, h, m or s, e.g. 90d)",
                bad.err().lines().findFirst().orElse(""));
        assertEquals(2, run("features", "materialize", "--view", "x", "--from", "2024-02-01", "--to", "2024-01-01").code());
    }

    @Test
    void materialisingTheSameRangeTwiceLeavesOneCopyThenTrainingSetAndDrift() {
        assertEquals(0, run(common("generate", "--domain", "credit", "--rows", "2000")).code());
        String[] materialize = common("features", "materialize", "--view", "credit_branch_activity", "--from", "2024-01-01", "--to", "2024-01-31");

        CliRun first = run(materialize);
        assertEquals(0, first.code(), first.err());
        CliRun second = run(materialize);
        assertEquals(0, second.code(), second.err());
        long written = written(first.out());
        assertEquals(written, written(second.out()));
        assertTrue(second.out().contains("Delta version 1"), second.out());

        CliRun counts = run(common("sql", "SELECT (SELECT count(*) FROM features.credit_branch_activity) AS f, "
                + "(SELECT count(*) FROM raw.credit WHERE to_date(application_ts) BETWEEN DATE'2024-01-01' AND DATE'2024-01-31') AS r"));
        assertEquals(0, counts.code(), counts.err());
        String[] fr = counts.out().lines().skip(1).findFirst().orElseThrow().split("\t");
        assertTrue(Long.parseLong(fr[1]) > 20, counts.out());
        assertEquals(fr[1], fr[0], "one copy of every January application after two runs");
        assertEquals(Long.parseLong(fr[0]), written);

        CliRun ts = run(common("features", "training-set", "--entities", "raw.credit", "--timestamp", "application_ts",
                "--views", "credit_branch_activity", "--out", "features.train_credit"));
        assertEquals(0, ts.code(), ts.err());
        assertTrue(ts.out().startsWith("training set features.train_credit v0: 2,000 rows from raw.credit v0"), ts.out());
        assertTrue(ts.out().contains("view credit_branch_activity     Delta version 1 (definition v1)"), ts.out());
        CliRun recorded = run(common("sql", "SELECT view, view_version FROM features.training_sets"));
        assertEquals(List.of("view\tview_version", "credit_branch_activity\t1"), recorded.out().lines().toList());

        CliRun drift = run(common("features", "drift", "--training", "features.train_credit", "--view", "credit_branch_activity", "--date", "2024-01-20"));
        assertEquals(0, drift.code(), drift.err());
        assertTrue(drift.out().lines().anyMatch(l -> l.trim().startsWith("branch_applications_90d")), drift.out());
        CliRun stored = run(common("sql", "SELECT count(*) FROM features.drift WHERE band IN ('stable', 'moderate', 'significant')"));
        assertEquals("5", stored.out().lines().skip(1).findFirst().orElse(""), stored.out());

        // training reads the training set; the model records the feature view versions it was built from
        CliRun train = run(common("train", "--table", "features.train_credit", "--label", "defaulted_12m", "--regime", "paramavg", "--epochs", "1",
                "--name", "credit-from-features"));
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("branch_applications_90d"), "view features are inferred as inputs: " + train.out());
        String modelJson;
        try (java.util.stream.Stream<Path> files = Files.walk(tmp.resolve("lake/models/credit-from-features"))) {
            modelJson = Files.readString(files.filter(p -> p.getFileName().toString().equals("model.json")).findFirst().orElseThrow());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(modelJson.replaceAll("\\s", "").contains("\"feature_views\":{\"credit_branch_activity\":1}"), modelJson);

        // scoring attaches the same view through the store, point in time, and records its version on every row
        CliRun score = run(common("score", "--model", "credit-from-features", "--date", "2024-01-20", "--features", "credit_branch_activity",
                "--reason-codes", "0"));
        assertEquals(0, score.code(), score.err());
        CliRun versions = run(common("sql", "SELECT DISTINCT feature_versions['credit_branch_activity'] FROM scores.credit"));
        assertEquals(List.of("1"), versions.out().lines().skip(1).toList(), versions.out());
    }

    private static long written(String out) {
        Matcher m = Pattern.compile(": ([0-9,]+) rows written \\+ 0 quarantined").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
