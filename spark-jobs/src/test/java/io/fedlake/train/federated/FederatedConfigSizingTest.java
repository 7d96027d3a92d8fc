package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FederatedConfigSizingTest {

    private static FederatedConfig config(DpConfig dp, int localBatch) {
        return new FederatedConfig("branch", 20, 1, localBatch, 0.5, 0, 0, 0, 0, 0, false, dp);
    }

    @Test
    void aSmallTableGetsMoreRoundsAndSmallerLocalBatches() {
        List<String> changes = new ArrayList<>();
        FederatedConfig f = (FederatedConfig) config(null, 32).sizedTo(455, Set.of("--rounds", "--local-batch"), changes);
        assertEquals(50, f.rounds());
        assertEquals(16, f.localBatchSize());
        assertEquals(List.of("up to 50 rounds", "local minibatches of 16"), changes);
        FederatedConfig large = (FederatedConfig) config(null, 32).sizedTo(1_000_000, Set.of("--rounds", "--local-batch"), new ArrayList<>());
        assertEquals(20, large.rounds(), "never fewer rounds than the default");
        assertEquals(32, large.localBatchSize(), "never a larger local batch than the configured one");
    }

    @Test
    void onlyTheNamedOptionsAreSizedAndNeverTheRoundsOfDpFedAvg() {
        List<String> changes = new ArrayList<>();
        FederatedConfig dp = (FederatedConfig) config(new DpConfig(1.0, 1.1, 1e-5, 10), 32).sizedTo(455, Set.of("--rounds"), changes);
        assertEquals(20, dp.rounds(), "DP-FedAvg's rounds spend privacy");
        assertEquals(32, dp.localBatchSize(), "--local-batch was given");
        assertEquals(List.of(), changes);
        FederatedConfig fedSgd = (FederatedConfig) config(null, 0).sizedTo(455, Set.of("--local-batch"), new ArrayList<>());
        assertEquals(0, fedSgd.localBatchSize(), "full batch (FedSGD) stays full batch");
        FederatedConfig c = config(null, 32);
        assertEquals(c, c.sizedTo(455, Set.of(), new ArrayList<>()));
    }
}
