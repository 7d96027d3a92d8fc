package io.fedlake.train.federated;

import io.fedlake.core.UserError;
import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.TrainingJob;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelHyperParams;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad client fails itself, not the job; the client column's cardinality is capped and mapped by a join. */
class ClientIsolationTest extends LocalSparkTest {

    private static Lake lake;

    @BeforeAll
    static void data() {
        lake = new Lake(spark, tmp.resolve("lake-isolation").toString());
        SyntheticData.generate(lake, Domain.CREDIT, 1_500, 2, 5, "gen-iso");
    }

    @Test
    void nonFiniteOrHugeUpdatesAreRejectedAndHealthyOnesPass() {
        ClientLimits l = new ClientLimits(10, 100);
        assertEquals("update has 2 non-finite value(s) (NaN or infinity) of 3", l.reject(new float[]{Float.NaN, 1, Float.POSITIVE_INFINITY}));
        assertEquals("update L2 norm 50.00 exceeds the bound 10.00 (--max-update-norm)", l.reject(new float[]{30, 40}));
        assertEquals("update L2 norm 5.196e+38 exceeds the bound 10.00 (--max-update-norm)", l.reject(new float[]{3e38f, 3e38f, 3e38f}));
        assertNull(l.reject(new float[]{6, 8}));
        assertEquals("max update norm must be > 0 (--max-update-norm), got NaN",
                assertThrows(IllegalArgumentException.class, () -> new ClientLimits(Double.NaN, 1)).getMessage());
    }

    private static ClientTraining.Result ok(String client, float... delta) {
        return new ClientTraining.Result(client, new ClientUpdate(client, delta, 10, 0.5, 1), null, false, null, 1);
    }

    /** Before: ExactSum.add threw on the NaN inside treeAggregate's seqOp and the whole job failed. */
    @Test
    void aNanClientBecomesAFailedClientInsteadOfFailingTheAggregation() {
        FitInstructions fit = new FitInstructions(1, 0, 0, 1);
        ClientRound round = new ClientRound(1, 1, 7, Map.of("a", fit, "b", fit, "c", fit), Set.of(), Long.MAX_VALUE, 0.1, false, null,
                null, Map.of(), null);
        for (boolean secure : List.of(false, true)) {
            FederatedTrainer.Results r = new FederatedTrainer.Results(2, secure, ClientLimits.DEFAULTS);
            if (!secure) { // a good client under secure aggregation needs its key store; the bad ones must fail before encoding
                r.add(ok("a", 0.1f, -0.2f), round, false, true, null);
            }
            r.add(ok("b", Float.NaN, 0), round, false, true, null);
            r.add(ok("c", 3e6f, 0), round, false, true, null);
            assertEquals(secure ? 0 : 1, r.completed, "secure " + secure);
            assertEquals(List.of("b", "c"), r.failures.stream().map(ClientFailure::clientId).toList());
            assertTrue(r.failures.get(0).reason().startsWith("update has 1 non-finite value(s)"), r.failures.get(0).reason());
            assertTrue(r.failures.get(1).reason().startsWith("update L2 norm 3.000e+06 exceeds the bound"), r.failures.get(1).reason());
        }
    }

    private static TrainConfig fedavg(int rounds) {
        FederatedConfig f = new FederatedConfig("branch_id", rounds, 1, 32, 0.5, 0, 0, 0, 0, 0, false, null);
        return new TrainConfig("raw.credit", "credit-mlp", ModelHyperParams.creditDefaults(7), Domain.CREDIT.dataSpec(), 1, 64, 1, 0, 0, 0.2, 7,
                0, 1, f);
    }

    /** Every client's real update is over a (deliberately tiny) bound: each fails in its task, and the round fails by --min-completion. */
    @Test
    void clientsOverTheNormBoundCountAgainstMinCompletion() {
        List<String> progress = new ArrayList<>();
        FederatedTrainer trainer = new FederatedTrainer(new FedAvg(new ClientSampling(1.0, 1)), new ClientLimits(1e-12, 100));
        UserError e = assertThrows(UserError.class, () -> TrainingJob.run(lake, fedavg(1), trainer, "iso", "run-iso-norm", progress::add));
        assertTrue(e.getMessage().startsWith("round 1: only 0 of "), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds the bound 1.000e-12 (--max-update-norm)"), e.getMessage());
    }

    @Test
    void tooManyClientsIsOneClearError() {
        FederatedTrainer trainer = new FederatedTrainer(new FedAvg(new ClientSampling(1.0, 1)), new ClientLimits(1000, 5));
        UserError e = assertThrows(UserError.class, () -> TrainingJob.run(lake, fedavg(1), trainer, "iso", "run-iso-cap", line -> { }));
        assertEquals("--client-column branch_id has more than 5 distinct values in raw.credit (--max-clients): each client is a shard and a task;"
                + " pick a coarser column or raise the cap", e.getMessage());
    }

    @Test
    void theClientToShardMapIsAJoinNotALiteralArray() {
        Dataset<Row> rows = spark.range(12).selectExpr("id", "concat('C', cast(id % 4 as string)) AS client");
        List<String> clients = List.of("C0", "C1", "C2", "C3");
        Dataset<Row> mapped = ClientIndex.withShardIndex(rows, "client", clients);

        for (Row r : mapped.collectAsList()) {
            assertEquals(clients.indexOf(r.<String>getAs("client")), (int) r.<Integer>getAs("__shard"));
        }
        assertEquals(12, mapped.count());
        String plan = mapped.queryExecution().optimizedPlan().toString();
        assertFalse(plan.contains("array_position"), plan);
        assertTrue(plan.contains("Join"), plan);
    }
}
