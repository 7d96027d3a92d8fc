package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpFedAvgTest {

    /** A client that trained and delivered its delta, as its task reports it. */
    private static ClientTraining.Result delivered(String client, float[] delta, long examples) {
        return new ClientTraining.Result(client, new ClientUpdate(client, delta, examples, 0.5, 3), null, false, null, 3);
    }

    @Test
    void aRoundsClippedDeltasAreSummedWithEqualWeightsAndWithoutNoiseDividedByTheExpectedClientCount() {
        // Prepare: C = 1, z = 0; a's (3, 4) has norm 5 → (0.6, 0.8), b's (0.3, 0.4) is inside the ball; their example
        // counts (100 and 1) must not weigh in. c was sampled but dropped out. Two tasks, as treeAggregate runs them.
        DpConfig dp = new DpConfig(1.0, 0.0, 1e-5, Double.POSITIVE_INFINITY);
        FitInstructions fit = new FitInstructions(1, 0, 0, 1);
        ClientRound round = new ClientRound(1, 0, 7L, Map.of("a", fit, "b", fit, "c", fit), Set.of("c"), Long.MAX_VALUE, 0.1, false, dp,
                null, Map.of(), null);
        FederatedConfig f = new FederatedConfig("client_id", 1, 1, 0, 0.5, 0, 0, 0, 0, 0, false, dp);
        FederatedTrainer.Results left = new FederatedTrainer.Results(2, false, ClientLimits.DEFAULTS);
        left.add(delivered("a", new float[] {3f, 4f}, 100), round, false, true, null);
        FederatedTrainer.Results right = new FederatedTrainer.Results(2, false, ClientLimits.DEFAULTS);
        right.add(delivered("b", new float[] {0.3f, 0.4f}, 1), round, false, true, null);
        right.add(new ClientTraining.Result("c", null, "dropped out of the round (simulated)", false, null, 0), round, false, true, null);
        // Execute: the executors' merge, then the server's step with qK = 4 expected clients although only 2 reported
        List<ClientUpdate> update = FederatedTrainer.aggregateUpdate(left.merge(right), round, f, 4.0, DpFedAvg.secureGenerator(), List.of());
        // Assert: (0.6 + 0.3, 0.8 + 0.4) / 4, and the release says nothing of example counts or losses
        assertEquals(1, update.size());
        assertArrayEquals(new float[] {0.225f, 0.3f}, update.get(0).delta(), 1e-6f);
        assertEquals("DP aggregate of 2 clients", update.get(0).clientId());
        assertEquals(1, update.get(0).examples());
        assertTrue(Double.isNaN(update.get(0).trainLoss()));
    }

    @Test
    void noiseComesOnlyFromTheGeneratorAndTheTrainingGeneratorIsSecureAndUnseeded() {
        double[] sum = new double[16];
        // the arithmetic is a pure function of its generator …
        assertArrayEquals(DpFedAvg.noisyMean(sum, 1.0, 0.5, 2.0, new SplittableRandom(42)), DpFedAvg.noisyMean(sum, 1.0, 0.5, 2.0, new SplittableRandom(42)));
        // … and training hands it a DRBG of its own, which two jobs with the same seed cannot share
        java.security.SecureRandom g = DpFedAvg.secureGenerator();
        assertEquals("DRBG", g.getAlgorithm());
        float[] a = DpFedAvg.noisyMean(sum, 1.0, 0.5, 2.0, g);
        float[] b = DpFedAvg.noisyMean(sum, 1.0, 0.5, 2.0, DpFedAvg.secureGenerator());
        assertFalse(java.util.Arrays.equals(a, b));
        assertEquals(0.0, sum[0], "the input sum must not be modified");
    }

    @Test
    void noiseHasStandardDeviationZTimesCOverExpectedClients() {
        // Prepare: z = 1.5, C = 2, qK = 3 → per-coordinate stddev 1.5·2/3 = 1, mean 0
        int n = 200_000;
        // Execute
        float[] mean = DpFedAvg.noisyMean(new double[n], 1.5, 2.0, 3.0, DpFedAvg.secureGenerator());
        // Assert: with n = 2e5 the sample mean has sd 1/√n ≈ 0.0022 and the sample variance sd √(2/n) ≈ 0.0032
        double s = 0;
        double s2 = 0;
        for (float v : mean) {
            s += v;
            s2 += (double) v * v;
        }
        double m = s / n;
        double var = s2 / n - m * m;
        assertEquals(0.0, m, 0.01);
        assertEquals(1.0, var, 0.015);
    }

    @Test
    void gaussianNoiseFromTheSecureGeneratorTailsLookNormal() {
        // the same check on the generator training uses: P(|X| > 2) = 0.0455, 1e5 draws, count sd ≈ 66
        double[] x = new double[100_000];
        GaussianNoise.add(x, 1.0, DpFedAvg.secureGenerator());
        long beyond2 = java.util.Arrays.stream(x).filter(v -> Math.abs(v) > 2).count();
        assertEquals(4550, beyond2, 400);
    }

    @Test
    void gaussianNoiseTailsLookNormal() {
        // P(|X| > 2) = 0.0455 for a standard normal; with 1e5 draws the count has sd ≈ 66
        double[] x = new double[100_000];
        GaussianNoise.add(x, 1.0, new SplittableRandom(5));
        long beyond2 = java.util.Arrays.stream(x).filter(v -> Math.abs(v) > 2).count();
        assertEquals(4550, beyond2, 300);
    }

    @Test
    void configErrorsNameTheField() {
        assertMessage("clipNorm", () -> new DpConfig(0, 1, 1e-5, 1));
        assertMessage("noiseMultiplier", () -> new DpConfig(1, -1, 1e-5, 1));
        assertMessage("delta", () -> new DpConfig(1, 1, 1, 1));
        assertMessage("epsilonBudget", () -> new DpConfig(1, 1, 1e-5, 0));
        DpConfig ok = new DpConfig(0.5, 1.2, 1e-5, Double.POSITIVE_INFINITY);
        assertEquals(0.6, ok.noiseStddev(), 1e-12);
    }

    private static void assertMessage(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }
}
