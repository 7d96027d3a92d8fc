package io.fedlake.train;

import io.fedlake.core.UserError;
import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.train.federated.ClientSampling;
import io.fedlake.train.federated.DpConfig;
import io.fedlake.train.federated.FedAvg;
import io.fedlake.train.federated.FederatedConfig;
import io.fedlake.train.federated.FederatedTrainer;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelHyperParams;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fedlake's own regimes on small credit data: they learn, they are bit-reproducible for a seed, an interrupted run
 * resumed from its checkpoint ends with the same parameters as an uninterrupted one, every round lands in
 * {@code training.rounds}, and the federated failure policy refuses rounds with too few clients.
 */
class RoundTrainingTest extends LocalSparkTest {

    private static Lake lake;

    @BeforeAll
    static void data() {
        lake = new Lake(spark, tmp.resolve("lake-rounds").toString());
        SyntheticData.generate(lake, Domain.CREDIT, 6_000, 2, 31, "gen-credit");
    }

    private static TrainConfig paramavg(int epochs) {
        return new TrainConfig("raw.credit", "credit-mlp", ModelHyperParams.creditDefaults(7), Domain.CREDIT.dataSpec(), epochs, 64, 8, 0, 2, 0.2, 7);
    }

    private static TrainConfig fedavg(int rounds, double dropout, double minCompletion, int retries) {
        FederatedConfig f = new FederatedConfig("branch_id", rounds, 1, 32, minCompletion, retries, 0, dropout, 0, 0, false, null);
        return new TrainConfig("raw.credit", "credit-mlp", ModelHyperParams.creditDefaults(7), Domain.CREDIT.dataSpec(), 1, 64, 1, 0, 0, 0.2, 7,
                0, 1, f);
    }

    private static FederatedTrainer fedAvg() {
        return new FederatedTrainer(new FedAvg(new ClientSampling(0.5, 2)));
    }

    @Test
    void paramavgLearnsAndIsReproducible() {
        TrainingJob.Outcome a = TrainingJob.run(lake, paramavg(2), new ParameterAveragingTrainer(), "pa", "run-pa-1", line -> { });
        TrainingJob.Outcome b = TrainingJob.run(lake, paramavg(2), new ParameterAveragingTrainer(), "pa", "run-pa-2", line -> { });

        assertTrue(a.holdout().auc() > 0.72, "paramavg holdout AUC " + a.holdout().auc());
        assertEquals(a.model().sha256(), b.model().sha256(), "same seed, data and workers must give identical parameters");
        Dataset<Row> rounds = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo("run-pa-1"));
        long perRun = rounds.count();
        assertTrue(perRun >= 2, "one row per averaging step, got " + perRun);
        assertEquals(2, rounds.where(col("holdout_auc").isNotNull()).count(), "evaluated once per epoch");
    }

    @Test
    void aMultiLayerNetworkTrainsThroughBothOwnRegimes() {
        DataSpec numericOnly = Domain.CREDIT.dataSpec().with(null, null, List.of(), null);
        TrainConfig pa = new TrainConfig("raw.credit", "sequential-mlp", ModelHyperParams.creditDefaults(7), numericOnly, 2, 64, 8, 0, 2, 0.2, 7);
        FederatedConfig f = new FederatedConfig("branch_id", 3, 1, 32, 0.5, 0, 0, 0, 0, 0, false, null);
        TrainConfig fa = new TrainConfig("raw.credit", "sequential-mlp", ModelHyperParams.creditDefaults(7), numericOnly, 1, 64, 1, 0, 0, 0.2, 7,
                0, 1, f);

        TrainingJob.Outcome a = TrainingJob.run(lake, pa, new ParameterAveragingTrainer(), "seq-pa", "run-seq-pa", line -> { });
        TrainingJob.Outcome b = TrainingJob.run(lake, fa, fedAvg(), "seq-fa", "run-seq-fa", line -> { });

        assertTrue(a.holdout().auc() > 0.7, "paramavg on a MultiLayerNetwork: AUC " + a.holdout().auc());
        assertTrue(b.holdout().auc() > 0.65, "fedavg on a MultiLayerNetwork: AUC " + b.holdout().auc());
    }

    @Test
    void paramavgResumeReachesTheUninterruptedParameters() {
        TrainingJob.Outcome full = TrainingJob.run(lake, paramavg(1), new ParameterAveragingTrainer(), "pa-resume", "run-full", line -> { });

        String run = "run-crash";
        assertThrows(SimulatedCrash.class,
                () -> TrainingJob.run(lake, paramavg(1), new ParameterAveragingTrainer(), "pa-resume", run, false, crashAt("round 3/")));
        TrainingJob.Outcome resumed = TrainingJob.run(lake, paramavg(1), new ParameterAveragingTrainer(), "pa-resume", run, true, line -> { });

        assertEquals(full.model().sha256(), resumed.model().sha256());
        Dataset<Row> rows = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo(run));
        assertEquals(rows.count(), rows.select("round").distinct().count(), "each round of the resumed run is logged once");
    }

    @Test
    void fedavgLearnsResumesAndLogsClients() {
        TrainingJob.Outcome full = TrainingJob.run(lake, fedavg(4, 0, 0.5, 0), fedAvg(), "fa", "run-fa-full", line -> { });
        assertTrue(full.holdout().auc() > 0.7, "fedavg holdout AUC " + full.holdout().auc());

        assertThrows(SimulatedCrash.class, () -> TrainingJob.run(lake, fedavg(4, 0, 0.5, 0), fedAvg(), "fa", "run-fa-crash", false, crashAt("round 2/")));
        TrainingJob.Outcome resumed = TrainingJob.run(lake, fedavg(4, 0, 0.5, 0), fedAvg(), "fa", "run-fa-crash", true, line -> { });
        assertEquals(full.model().sha256(), resumed.model().sha256(), "resumed FedAvg must match the uninterrupted run");

        Row first = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE))
                .where(col("run_id").equalTo("run-fa-full").and(col("round").equalTo(1))).head();
        List<Row> clients = first.getList(first.fieldIndex("clients"));
        assertEquals(12, first.<Integer>getAs("clients_selected"), "half of the 24 branches");
        assertEquals(12, clients.size());
        long examples = clients.stream().mapToLong(r -> r.getLong(1)).sum();
        assertEquals(examples, first.<Long>getAs("examples"));
    }

    @Test
    void roundsBelowTheMinimumCompletionFailClearly() {
        List<String> lines = new ArrayList<>();
        UserError e = assertThrows(UserError.class,
                () -> TrainingJob.run(lake, fedavg(2, 0.6, 0.95, 1), fedAvg(), "fa-drop", "run-drop", false, lines::add));

        assertTrue(e.getMessage().startsWith("round 1: only "), e.getMessage());
        assertTrue(e.getMessage().contains("after 2 attempt(s)") && e.getMessage().contains("dropped out"), e.getMessage());
        assertTrue(lines.stream().anyMatch(l -> l.contains("attempt 1")), "the retry is announced: " + lines);
    }

    @Test
    void droppedClientsAreToleratedAboveTheMinimum() {
        TrainingJob.Outcome o = TrainingJob.run(lake, fedavg(3, 0.3, 0.3, 3), fedAvg(), "fa-tolerant", "run-tolerant", line -> { });
        Dataset<Row> rounds = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo("run-tolerant"));

        assertTrue(rounds.where(col("clients_completed").lt(col("clients_selected"))).count() > 0, "some clients dropped");
        assertNotEquals(0, o.trainRows());
    }

    private static TrainConfig privateFedavg(int rounds, boolean secure, double dropout, DpConfig dp) {
        FederatedConfig f = new FederatedConfig("branch_id", rounds, 1, 32, 0.3, 0, 0, dropout, 0, 0, secure, dp,
                secure ? tmp.resolve("client-keys").toString() : null);
        return new TrainConfig("raw.credit", "credit-mlp", ModelHyperParams.creditDefaults(7), Domain.CREDIT.dataSpec(), 1, 64, 1, 0, 0, 0.2, 7,
                0, 1, f);
    }

    private static float[] params(TrainingJob.Outcome o) {
        return io.fedlake.zoo.artifact.NetworkBytes.fromBytes(new io.fedlake.registry.ModelRegistry(lake)
                .load(o.model().name() + ":" + o.model().version()).networkBytes()).params().toFloatVector();
    }

    @Test
    void secureAggregationMatchesThePlainSumEvenWithDropouts() {
        float[] plain = params(TrainingJob.run(lake, privateFedavg(2, false, 0.25, null), fedAvg(), "sa-plain", "run-sa-plain", line -> { }));
        float[] secure = params(TrainingJob.run(lake, privateFedavg(2, true, 0.25, null), fedAvg(), "sa-secure", "run-sa-secure", line -> { }));

        double maxDiff = 0;
        for (int i = 0; i < plain.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(plain[i] - secure[i]));
        }
        // the same clients trained and dropped (seeded); only the 2^-24 fixed-point rounding of the masked sum differs
        assertTrue(maxDiff < 1e-5, "secure vs plain parameters differ by up to " + maxDiff);
        long dropped = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo("run-sa-secure"))
                .where(col("clients_completed").lt(col("clients_selected"))).count();
        assertTrue(dropped > 0, "the run must include rounds with dropped clients to show their masks are removed");

        // the masks came from X25519 key agreement: every branch's own task created its pair in its own folder
        java.nio.file.Path keys = tmp.resolve("client-keys");
        try (java.util.stream.Stream<java.nio.file.Path> folders = java.nio.file.Files.list(keys)) {
            List<java.nio.file.Path> all = folders.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertEquals(24, all.size(), "one key folder per branch: " + all);
            for (java.nio.file.Path folder : all) {
                assertTrue(java.nio.file.Files.isRegularFile(folder.resolve("x25519.key")) && java.nio.file.Files.isRegularFile(folder.resolve("x25519.pub")),
                        folder.toString());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        // issue #15: under secure aggregation no per-client row reaches training.rounds, only the sums the protocol reveals
        List<Row> plainRounds = roundsOf("run-sa-plain");
        List<Row> secureRounds = roundsOf("run-sa-secure");
        assertEquals(2, secureRounds.size());
        for (int i = 0; i < secureRounds.size(); i++) {
            Row p = plainRounds.get(i);
            Row s = secureRounds.get(i);
            assertTrue(p.getList(p.fieldIndex("clients")).size() > 0, "the plain run still logs its clients");
            assertEquals(List.of(), s.getList(s.fieldIndex("clients")), "secure aggregation logs no client: " + s);
            assertEquals(p.<Long>getAs("examples"), s.<Long>getAs("examples"), "the example total comes out of the masked sum");
            assertEquals(p.<Double>getAs("train_loss"), s.<Double>getAs("train_loss"), 1e-5, "the mean loss comes out of the masked sum");
        }
    }

    private static List<Row> roundsOf(String runId) {
        return spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo(runId)).orderBy("round").collectAsList();
    }

    @Test
    void dpFedAvgReportsGrowingEpsilonAndStopsAtTheBudget() {
        List<String> lines = new ArrayList<>();
        TrainingJob.Outcome o = TrainingJob.run(lake, privateFedavg(30, false, 0, new DpConfig(0.5, 2.0, 1e-5, 3.0)), fedAvg(), "dp", "run-dp",
                false, lines::add);
        List<Row> rounds = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE)).where(col("run_id").equalTo("run-dp"))
                .orderBy("round").select("epsilon").collectAsList();

        // q = 12/24 clients, z = 2: ε(δ=1e-5) is 2.82 after 4 rounds and would be 3.13 after 5 (RdpAccountant)
        assertEquals(4, rounds.size(), "the ε budget of 3 allows exactly 4 rounds");
        double previous = 0;
        for (Row r : rounds) {
            assertTrue(r.getDouble(0) > previous, "ε grows every round: " + rounds);
            previous = r.getDouble(0);
        }
        assertTrue(previous <= 3.0, "ε stays within the budget: " + previous);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("privacy budget: round " + (rounds.size() + 1))), lines.toString());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> dp = (java.util.Map<String, Object>) o.model().metadata().get("differential_privacy");
        assertEquals(previous, ((Number) dp.get("epsilon")).doubleValue(), 1e-9);
    }

    /**
     * Issue #15: DP noise and client sampling used to be pure functions of (seed, round), so anyone with the model's
     * provenance could regenerate and subtract the noise; sampling was fixed-size where the accountant assumes Poisson.
     */
    @Test
    void dpNoiseAndPoissonSamplingAreFreshForTheSameSeed() {
        DpConfig dp = new DpConfig(0.5, 1.0, 1e-5, Double.POSITIVE_INFINITY);
        float[] a = params(TrainingJob.run(lake, privateFedavg(3, false, 0, dp), fedAvg(), "dp-fresh", "run-dp-fresh-a", line -> { }));
        float[] b = params(TrainingJob.run(lake, privateFedavg(3, false, 0, dp), fedAvg(), "dp-fresh", "run-dp-fresh-b", line -> { }));

        List<Row> rounds = spark.read().format("delta").load(lake.pathOf(RoundLog.TABLE))
                .where(col("run_id").isin("run-dp-fresh-a", "run-dp-fresh-b")).select("clients_selected", "epsilon", "round").collectAsList();
        io.fedlake.train.federated.RdpAccountant expected = new io.fedlake.train.federated.RdpAccountant();
        expected.compose(0.5, 1.0, 3);
        List<Row> logged = roundsOf("run-dp-fresh-a");
        // each property is checked on its own, so a regression in one does not hide the others
        org.junit.jupiter.api.Assertions.assertAll(
                () -> assertTrue(!java.util.Arrays.equals(a, b), "two DP runs with the same seed must not add the same noise"),
                () -> assertEquals(6, rounds.size()),
                // Poisson sampling at q = 0.5 of 24 clients: Binomial(24, 0.5) sizes; all six equal to 12 has probability 1.7e-5
                () -> assertTrue(rounds.stream().anyMatch(r -> r.getInt(0) != 12), "sizes vary under Poisson sampling: " + rounds),
                // the accountant uses q = 0.5 exactly, whatever the draw
                () -> rounds.stream().filter(r -> r.getInt(2) == 3).forEach(r -> assertEquals(expected.epsilon(1e-5), r.getDouble(1), 1e-12)),
                // no per-client metric under DP, and no un-noised aggregate of the clients' data either
                () -> logged.forEach(r -> assertEquals(List.of(), r.getList(r.fieldIndex("clients")), "DP logs no client: " + r)),
                () -> logged.forEach(r -> assertTrue(r.isNullAt(r.fieldIndex("train_loss")), "DP releases no training loss: " + r)),
                () -> logged.forEach(r -> assertEquals(0L, r.<Long>getAs("examples"), "DP releases no example count: " + r)));
    }

    @Test
    void dpResumeRestoresThePrivacySpentBeforeTheCrash() {
        DpConfig dp = new DpConfig(0.5, 1.0, 1e-5, Double.POSITIVE_INFINITY);
        assertThrows(SimulatedCrash.class, () -> TrainingJob.run(lake, privateFedavg(3, false, 0, dp), fedAvg(), "dp-resume", "run-dp-crash", false,
                crashAt("round 2/")));
        TrainingJob.Outcome resumed = TrainingJob.run(lake, privateFedavg(3, false, 0, dp), fedAvg(), "dp-resume", "run-dp-crash", true, line -> { });

        // the two rounds before the crash stay spent: ε of the resumed run is that of 3 rounds, not of the 1 it ran
        io.fedlake.train.federated.RdpAccountant three = new io.fedlake.train.federated.RdpAccountant();
        three.compose(0.5, 1.0, 3);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> meta = (java.util.Map<String, Object>) resumed.model().metadata().get("differential_privacy");
        assertEquals(3L, ((Number) meta.get("rounds_accounted")).longValue());
        assertEquals(three.epsilon(1e-5), ((Number) meta.get("epsilon")).doubleValue(), 1e-12);
        // (round 2's row is not in the log: the simulated crash hits the progress line before the row is buffered)
        List<Row> rows = roundsOf("run-dp-crash");
        assertEquals(rows.size(), rows.stream().map(r -> r.<Integer>getAs("round")).distinct().count(), "each round logged at most once");
        Row last = rows.get(rows.size() - 1);
        assertEquals(3, last.<Integer>getAs("round"));
        assertEquals(three.epsilon(1e-5), last.<Double>getAs("epsilon"), 1e-12, "the resumed round logs the ε of all three rounds");
    }

    private static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String line) {
            super("simulated crash after: " + line);
        }
    }

    /** A progress sink that kills the run right after the given round was checkpointed and reported. */
    private static Consumer<String> crashAt(String prefix) {
        return line -> {
            if (line.startsWith(prefix)) {
                throw new SimulatedCrash(line);
            }
        };
    }
}
