package io.fedlake.cli;

import io.fedlake.preset.Domain;
import io.fedlake.score.ScoringPresets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and one-line errors: 0 ok, 2 usage, 1 failure; no stack trace without --verbose. */
class FedlakeCliTest {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helpForEveryCommandExitsZero() {
        for (String cmd : new String[]{"pipeline", "generate", "train", "score"}) {
            CliRun r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: fedlake " + cmd), r.out());
        }
        assertEquals(0, run("--version").code());
    }

    @Test
    void badArgumentsAreUsageErrorsWithOneClearLine() {
        assertUsage(run(), "fedlake: missing command");
        assertUsage(run("train", "--epochs", "0"), "fedlake: epochs must be ≥ 1, got 0");
        assertUsage(run("train", "--model", "resnet-9000"), "fedlake: unknown model architecture 'resnet-9000'; available: credit-mlp, defect-fusion, imaging-fusion, lenet, logreg, sequential-mlp");
        assertUsage(run("train", "--regime", "magic"), "fedlake: unknown training regime 'magic'; available: dl4j-paramavg, fedavg, paramavg");
        assertUsage(run("train", "--regime", "fedavg", "--strategy", "fedmagic"),
                "fedlake: unknown strategy 'fedmagic'; available: fedadam, fedavg, fedavgm, fedprox, median, trimmed-mean");
        assertUsage(run("train", "--regime", "fedavg", "--strategy", "median", "--secure-aggregation"),
                "fedlake: --strategy median needs each client's update, but --secure-aggregation only reveals their sum");
        assertUsage(run("train", "--regime", "fedavg", "--rounds", "0"), "fedlake: rounds must be ≥ 1, got 0");
        assertUsage(run("train", "--storage-level", "FAST"), "fedlake: unknown storage level 'FAST'; e.g. MEMORY_ONLY_SER, MEMORY_AND_DISK_SER, DISK_ONLY");
        assertUsage(run("train", "--regime", "fedavg", "--dp-noise", "1.0", "--dp-delta", "2"), "fedlake: delta must be in (0, 1), got 2.0");
        assertUsage(run("train", "--resume", "some-run"), "fedlake: --resume needs --regime paramavg or fedavg (dl4j-paramavg keeps no checkpoints)");
        assertUsage(run("generate", "--domain", "weather"), "fedlake: unknown domain 'weather'; expected one of credit, imaging, defect");
        assertUsage(run("score", "--model", "m", "--date", "2026-13-01"), "fedlake: --date must be yyyy-MM-dd, got '2026-13-01'");
        assertUsage(run("pipeline", "--rows", "-5"), "fedlake: --rows must be ≥ 1, got -5");
        assertUsage(run("generate", "--domain", "credit", "--rows", "ten"), "fedlake: Invalid value for option '--rows': 'ten' is not a long");
    }

    /** Issue #15: an option the regime does not read used to be accepted and ignored, privacy options included. */
    @Test
    void optionsTheChosenRegimeDoesNotUseAreUsageErrorsNamingTheirRegimes() {
        assertUsage(run("train", "--regime", "paramavg", "--dp-noise", "1.0", "--secure-aggregation"),
                "fedlake: --regime paramavg does not use --dp-noise (applies to fedavg), --secure-aggregation (applies to fedavg)");
        assertUsage(run("train", "--dp-noise", "1.0"), "fedlake: --regime dl4j-paramavg does not use --dp-noise (applies to fedavg)");
        assertUsage(run("train", "--regime", "dl4j-paramavg", "--secure-aggregation"),
                "fedlake: --regime dl4j-paramavg does not use --secure-aggregation (applies to fedavg)");
        assertUsage(run("pipeline", "--domain", "credit", "--rounds", "4", "--image-rows", "100"),
                "fedlake: --domain credit does not use --image-rows (applies to imaging, defect), --rounds (applies to imaging, defect)");
        assertUsage(run("pipeline", "--domain", "imaging,defect", "--epochs", "2"), "fedlake: --domain imaging,defect does not use --epochs (applies to credit)");
        assertUsage(run("pipeline", "--domain", "credit,credit"), "fedlake: --domain lists credit twice");
        assertUsage(run("pipeline", "--domain", "weather"), "fedlake: unknown domain 'weather'; expected one of credit, imaging, defect");
        assertUsage(run("train", "--regime", "fedavg", "--epochs", "2", "--batch-size", "16"),
                "fedlake: --regime fedavg does not use --epochs (applies to dl4j-paramavg, paramavg), --batch-size (applies to dl4j-paramavg, paramavg)");
        assertUsage(run("train", "--regime", "paramavg", "--prefetch", "4"), "fedlake: --regime paramavg does not use --prefetch (applies to dl4j-paramavg)");
        assertUsage(run("train", "--checkpoint-every", "2"), "fedlake: --regime dl4j-paramavg does not use --checkpoint-every (applies to fedavg, paramavg)");
        assertUsage(run("train", "--regime", "fedavg", "--mu", "0.1"), "fedlake: --strategy fedavg does not use --mu (applies to --strategy fedprox)");
        assertUsage(run("train", "--regime", "fedavg", "--dp-clip", "2", "--dp-delta", "1e-6"),
                "fedlake: --dp-clip, --dp-delta need(s) --dp-noise: without it DP-FedAvg is off");
        assertUsage(run("train", "--regime", "fedavg", "--secure-aggregation"),
                "fedlake: client keys must be set for secure aggregation (--client-keys URI: one folder per client holding its X25519 key pair)");
        assertUsage(run("train", "--regime", "fedavg", "--client-keys", "/tmp/keys"),
                "fedlake: client keys are only used by secure aggregation (--secure-aggregation)");
    }

    private static void assertUsage(CliRun r, String firstLine) {
        assertEquals(2, r.code(), r.err());
        assertEquals(firstLine, r.err().lines().findFirst().orElse(""));
        assertTrue(r.err().lines().skip(1).allMatch(l -> l.startsWith("Try '")), r.err());
    }

    @Test
    void aMissingInputTableIsOneLineAndExitOne() {
        CliRun r = run("train", "--lake", tmp.resolve("empty-lake").toString(), "--master", "local[1]", "--conf", "spark.ui.enabled=false");

        assertEquals(1, r.code(), r.err());
        String expected = "fedlake: error: table raw.credit not found at file:" + tmp.resolve("empty-lake").toUri().getRawPath().replaceAll("/$", "")
                + "/raw/credit (generate it with 'fedlake generate' or ingest it first)";
        assertEquals(expected, r.err().lines().filter(l -> l.startsWith("fedlake:")).findFirst().orElse(r.err()));
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void verboseShowsTheStackTrace() {
        CliRun r = run("score", "--verbose", "--lake", tmp.resolve("empty").toString(), "--master", "local[1]", "--conf", "spark.ui.enabled=false",
                "--model", "credit-mlp", "--date", "2026-11-23");

        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat io.fedlake."), r.err());
    }

    @Test
    void aUsersOwnTableTrainsWithFeaturesInferredFromItsSchema() throws java.io.IOException {
        java.nio.file.Path csv = tmp.resolve("loans.csv");
        StringBuilder text = new StringBuilder("loan_ref,region,score,utilisation,bad\n");
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 1_500; i++) {
            double score = r.nextGaussian();
            int util = r.nextInt(100);
            text.append("L").append(i).append(',').append(i % 3 == 0 ? "north" : "south").append(',').append(score).append(',').append(util)
                    .append(',').append(score + util / 50.0 + r.nextGaussian() > 2.0 ? 1 : 0).append('\n');
        }
        java.nio.file.Files.writeString(csv, text);
        String[] common = {"--lake", tmp.resolve("own-lake").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"};
        assertEquals(0, run(concat(new String[]{"ingest", "--source", csv.toString(), "--table", "raw.loans", "--key", "loan_ref"}, common)).code());

        CliRun train = run(concat(new String[]{"train", "--table", "raw.loans", "--key", "loan_ref", "--label", "bad", "--regime", "paramavg",
                "--epochs", "2", "--name", "loans"}, common));

        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("numeric [score, utilisation], categorical [region]"), train.out());
        assertTrue(train.out().contains("model loans:1 → "), train.out());
    }

    @Test
    void generateTrainPromoteVerifyAndScoreThroughTheCli() {
        String[] common = {"--lake", tmp.resolve("cli-lake").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"};

        assertEquals(0, run(concat(new String[]{"generate", "--domain", "credit", "--rows", "3000"}, common)).code());
        CliRun train = run(concat(new String[]{"train", "--epochs", "1", "--name", "cli-credit"}, common));
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("model cli-credit:1 → "), train.out());

        CliRun fed = run(concat(new String[]{"train", "--regime", "fedavg", "--rounds", "2", "--client-fraction", "0.25", "--strategy", "fedadam",
                "--secure-aggregation", "--client-keys", tmp.resolve("client-keys").toString(), "--name", "cli-fed"}, common));
        assertEquals(0, fed.code(), fed.err());
        assertTrue(fed.out().contains("round 2/2") && fed.out().contains("clients 6/6") && fed.out().contains("model cli-fed:1 → "), fed.out());
        CliRun resumeMissing = run(concat(new String[]{"train", "--regime", "paramavg", "--resume", "no-such-run"}, common));
        assertEquals(1, resumeMissing.code());
        assertTrue(resumeMissing.err().startsWith("fedlake: error: no checkpoint to resume from under "), resumeMissing.err());

        CliRun promote = run(concat(new String[]{"models", "promote", "cli-credit:1"}, common));
        assertEquals(0, promote.code(), promote.err());
        assertTrue(promote.out().startsWith("promoted cli-credit@champion → cli-credit:1 (first champion)"), promote.out());

        CliRun verify = run(concat(new String[]{"models", "verify", "cli-credit@champion"}, common));
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().startsWith("ok cli-credit:1 unsigned sha256 "), verify.out());

        CliRun list = run(concat(new String[]{"models", "list"}, common));
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("cli-credit") && l.contains("champion")), list.out());

        CliRun show = run(concat(new String[]{"models", "show", "cli-credit:1"}, common));
        assertTrue(show.out().contains("\"training_table\" : \"raw.credit\""), show.out());

        CliRun score = run(concat(new String[]{"score", "--model", "cli-credit@champion", "--date", "2024-05-02"}, common));
        assertEquals(0, score.code(), score.err());
        assertTrue(score.out().matches("(?s)scored raw.credit for 2024-05-02 with cli-credit:1: \\d+ read = \\d+ scored \\+ 0 quarantined.*"), score.out());

        CliRun tables = run(concat(new String[]{"sql", "--tables"}, common));
        assertEquals(List.of("features.training_statistics", "quarantine.credit", "raw.credit", "registry.aliases", "registry.models", "scores.credit",
                "training.rounds"),
                tables.out().lines().toList());
        // version 0 creates the score table (with its statistics settings), version 1 is the first scoring run. Credit's
        // default is 4 reason codes for the declines: every declined row carries at most 4 distinct ones, each a readable
        // feature label, and no approved row carries any
        String labels = ScoringPresets.featureLabels(Domain.CREDIT).values().stream().map(l -> "'" + l + "'").sorted()
                .reduce((a, b) -> a + ", " + b).orElseThrow();
        CliRun sql = run(concat(new String[]{"sql", "SELECT count_if(decision = 'decline') AS n, "
                + "count_if(decision = 'decline' AND reason_codes IS NULL OR decision = 'approve' AND reason_codes IS NOT NULL "
                + "OR reason_codes_for <> 'adverse') AS wrong_rows, "
                + "count_if(size(reason_codes) > 4) AS over_4, count_if(size(array_distinct(reason_codes)) < size(reason_codes)) AS repeated, "
                + "count_if(NOT forall(reason_codes, c -> c IN (" + labels + "))) AS unlabelled, sum(size(reason_codes)) AS codes "
                + "FROM scores.credit VERSION AS OF 1"}, common));
        assertEquals(0, sql.code(), sql.err());
        assertEquals("n\twrong_rows\tover_4\trepeated\tunlabelled\tcodes", sql.out().lines().findFirst().orElse(""));
        String[] counts = sql.out().lines().skip(1).findFirst().orElse("").split("\t");
        assertEquals(6, counts.length, sql.out());
        assertTrue(Long.parseLong(counts[0]) > 0 && Long.parseLong(counts[5]) > 0, "declined rows and reason codes: " + sql.out());
        assertEquals(List.of("0", "0", "0", "0"), List.of(counts).subList(1, 5),
                "declines without codes or approvals with codes, more than 4, repeated, unlabelled: " + sql.out());
        CliRun badSql = run(concat(new String[]{"sql", "SELECT * FROM raw.nothing"}, common));
        assertEquals(1, badSql.code());
        assertTrue(badSql.err().startsWith("fedlake: error: SQL error: "), badSql.err());

        CliRun refused = run(concat(new String[]{"models", "promote", "cli-credit:1", "--metric", "no_such_metric"}, common));
        assertEquals(1, refused.code());
        assertTrue(refused.err().startsWith("fedlake: error: model cli-credit:1 has no metric 'no_such_metric'"), refused.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
