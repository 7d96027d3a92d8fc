package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrategiesTest {

    private static final ClientSampling ALL = ClientSampling.all();

    private static List<ClientUpdate> one(float... delta) {
        return List.of(new ClientUpdate("a", delta, 1, 0, 1));
    }

    @Test
    void factoryBuildsEveryNamedStrategy() {
        for (String name : Strategies.names()) {
            Strategy s = Strategies.create(name);
            assertEquals(name, s.name());
        }
        assertInstanceOf(FedAvgM.class, Strategies.create("fedavgm"));
        assertInstanceOf(FedTrimmedMean.class, Strategies.create("trimmed-mean"));
    }

    @Test
    void unknownNameListsTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategies.create("fedsgd"));
        assertTrue(e.getMessage().contains("fedsgd"), e.getMessage());
        assertEquals("unknown strategy 'fedsgd'; available: fedadam, fedavg, fedavgm, fedprox, median, trimmed-mean", e.getMessage());
    }

    @Test
    void configErrorsNameTheField() {
        StrategyConfig base = StrategyConfig.defaults("fedavg");
        assertMessage("clientFraction", () -> base.withSampling(0, 1));
        assertMessage("minClients", () -> base.withSampling(0.5, 0));
        assertMessage("serverLearningRate", () -> base.withServerLearningRate(-1));
        assertMessage("serverMomentum", () -> base.withServerMomentum(1.0));
        assertMessage("proximalMu", () -> base.withProximalMu(-0.1));
        assertMessage("trimBeta", () -> base.withTrimBeta(0.5));
        assertMessage("proximalMu must be > 0 for fedprox", () -> StrategyConfig.defaults("fedprox").withProximalMu(0));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void fedAvgMCarriesMomentumAcrossRoundsAndResumesFromState() {
        // Prepare: η = 0.5, β = 0.5, the same mean delta 1 twice
        FedAvgM s = new FedAvgM(ALL, 0.5, 0.5);
        // Execute / Assert round 1: v = 1, w = 0 + 0.5·1
        float[] w1 = s.aggregateFit(1, new float[] {0f}, one(1f), List.of());
        assertArrayEquals(new float[] {0.5f}, w1, 1e-7f);
        Map<String, float[]> checkpoint = s.state();
        // round 2: v = 0.5·1 + 1 = 1.5, w = 0.5 + 0.5·1.5 = 1.25
        float[] w2 = s.aggregateFit(2, w1, one(1f), List.of());
        assertArrayEquals(new float[] {1.25f}, w2, 1e-7f);
        // a fresh strategy restored from the round-1 checkpoint repeats round 2 exactly
        FedAvgM resumed = new FedAvgM(ALL, 0.5, 0.5);
        resumed.restoreState(checkpoint);
        assertArrayEquals(w2, resumed.aggregateFit(2, w1, one(1f), List.of()));
    }

    @Test
    void fedAdamResumesFromCheckpointedMoments() {
        FedAdam s = new FedAdam(ALL, 0.01);
        float[] w1 = s.aggregateFit(1, new float[] {0f}, one(0.1f), List.of());
        // first step from zero moments: 0.01·0.01/(√1e-4 + 1e-3) = 0.0001/0.011
        assertArrayEquals(new float[] {0.0001f / 0.011f}, w1, 1e-6f);
        Map<String, float[]> checkpoint = s.state();
        assertEquals(2, checkpoint.size());
        float[] w2 = s.aggregateFit(2, w1, one(0.1f), List.of());
        FedAdam resumed = new FedAdam(ALL, 0.01);
        resumed.restoreState(checkpoint);
        assertArrayEquals(w2, resumed.aggregateFit(2, w1, one(0.1f), List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resumed.restoreState(Map.of("velocity", new float[1])));
        assertTrue(e.getMessage().contains("unknown state 'velocity'"), e.getMessage());
    }

    @Test
    void fedProxSetsMuInTheFitInstructions() {
        Strategy s = Strategies.create(StrategyConfig.defaults("fedprox").withProximalMu(0.1));
        FitInstructions defaults = new FitInstructions(2, 32, 0, 1);
        FitInstructions fit = s.configureFit(3, "client-1", defaults);
        assertEquals(0.1, fit.proximalMu());
        assertEquals(2, fit.localEpochs());
        assertEquals(32, fit.batchSize());
        assertFalse(s.needsIndividualUpdates());
    }

    @Test
    void robustStrategiesIgnoreTheByzantineClient() {
        // Prepare: global (10, 10); honest deltas near (1, −1), one attacker (1000, 1000)
        List<ClientUpdate> results = List.of(
                new ClientUpdate("a", new float[] {1f, -1f}, 5, 0, 1),
                new ClientUpdate("b", new float[] {1.2f, -0.8f}, 50, 0, 1),
                new ClientUpdate("c", new float[] {0.8f, -1.2f}, 5, 0, 1),
                new ClientUpdate("d", new float[] {1f, -1f}, 5, 0, 1),
                new ClientUpdate("evil", new float[] {1000f, 1000f}, 500, 0, 1));
        float[] global = {10f, 10f};
        // Execute
        Strategy median = new FedMedian(ALL, 1.0);
        Strategy trimmed = new FedTrimmedMean(ALL, 1.0, 0.2);
        // Assert: unweighted, so the attacker's 500 examples do not count; median (1, −1) → (11, 9)
        assertArrayEquals(new float[] {11f, 9f}, median.aggregateFit(1, global, results, List.of()), 1e-5f);
        // trimmed (drop 1 per side): (3.2/3, −2.8/3)
        assertArrayEquals(new float[] {10f + 3.2f / 3, 10f - 2.8f / 3}, trimmed.aggregateFit(1, global, results, List.of()), 1e-5f);
        assertTrue(median.needsIndividualUpdates());
        assertTrue(trimmed.needsIndividualUpdates());
        assertNull(median.aggregateFit(1, global, List.of(), List.of(new ClientFailure("a", "timeout"))));
        assertNull(trimmed.aggregateFit(1, global, List.of(), List.of()));
    }
}
