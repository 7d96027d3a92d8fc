package io.fedlake.train.federated;

import io.fedlake.train.RegimeSettings;

import java.util.List;

/**
 * Federated averaging settings, validated at construction (messages name the option).
 *
 * @param clientColumn        column whose distinct values are the clients (branch_id, hospital_id, plant_id)
 * @param rounds              communication rounds (≥ 1)
 * @param localEpochs         E: local passes over a client's data per round (≥ 1)
 * @param localBatchSize      B: local minibatch size; 0 = the client's whole data as one batch (FedSGD with E = 1)
 * @param minCompletion       fraction of the selected clients that must return an update for a round to count
 * @param roundRetries        times a round below {@code minCompletion} is re-run (with fresh client draws) before
 *                            the job fails
 * @param roundTimeoutSeconds a client still training after this long stops and reports a timeout (0 = no limit)
 * @param clientDropout       simulated: probability that a selected client drops out of a round (0 = none)
 * @param stragglers          simulated: fraction of selected clients that only finish part of their local epochs
 *                            (a uniform 1 … E−1 of E, as in Li et al. 2020 §5.2); FedAvg drops them, FedProx keeps
 *                            their partial work
 * @param targetAuc           stop once the held-out AUC reaches this (0 = run all rounds); for rounds-to-target
 * @param secureAggregation   clients send pairwise-masked updates; the server only sees their sum
 * @param dp                  DP-FedAvg settings (clipping, noise, δ, ε budget), or null for no differential privacy
 * @param clientKeys          secure aggregation: URI of the per-client key store ({@link ClientKeyStore}); required
 *                            with {@code secureAggregation}, refused without it
 */
public record FederatedConfig(String clientColumn, int rounds, int localEpochs, int localBatchSize, double minCompletion, int roundRetries,
                              double roundTimeoutSeconds, double clientDropout, double stragglers, double targetAuc,
                              boolean secureAggregation, DpConfig dp, String clientKeys) implements RegimeSettings {

    /** Without a client key store: for runs without secure aggregation. */
    public FederatedConfig(String clientColumn, int rounds, int localEpochs, int localBatchSize, double minCompletion, int roundRetries,
                           double roundTimeoutSeconds, double clientDropout, double stragglers, double targetAuc,
                           boolean secureAggregation, DpConfig dp) {
        this(clientColumn, rounds, localEpochs, localBatchSize, minCompletion, roundRetries, roundTimeoutSeconds, clientDropout, stragglers,
                targetAuc, secureAggregation, dp, null);
    }

    public FederatedConfig {
        if (clientColumn == null || clientColumn.isBlank()) {
            throw new IllegalArgumentException("client column must be set for federated training (--client-column)");
        }
        require(rounds >= 1, "rounds must be ≥ 1, got " + rounds);
        require(localEpochs >= 1, "local epochs must be ≥ 1, got " + localEpochs);
        require(localBatchSize >= 0, "local batch size must be ≥ 0 (0 = full batch), got " + localBatchSize);
        require(minCompletion > 0 && minCompletion <= 1, "min completion must be in (0, 1], got " + minCompletion);
        require(roundRetries >= 0, "round retries must be ≥ 0, got " + roundRetries);
        require(roundTimeoutSeconds >= 0, "round timeout must be ≥ 0 s (0 = none), got " + roundTimeoutSeconds);
        require(clientDropout >= 0 && clientDropout < 1, "client dropout must be in [0, 1), got " + clientDropout);
        require(stragglers >= 0 && stragglers <= 1, "stragglers must be in [0, 1], got " + stragglers);
        require(targetAuc >= 0 && targetAuc < 1, "target AUC must be in [0, 1) (0 = none), got " + targetAuc);
        require(!secureAggregation || (clientKeys != null && !clientKeys.isBlank()),
                "client keys must be set for secure aggregation (--client-keys URI: one folder per client holding its X25519 key pair)");
        require(secureAggregation || clientKeys == null, "client keys are only used by secure aggregation (--secure-aggregation)");
    }

    @Override
    public List<String> columnsRead() {
        return List.of(clientColumn);
    }

    /** The rounds FedAvg runs at least when sized to a table: its default. */
    static final int MIN_SIZED_ROUNDS = 20;

    /**
     * {@code --rounds}: at least {@value #MIN_SIZED_ROUNDS}, more for a small table (as many as parameter averaging's
     * epochs, {@link io.fedlake.train.TrainingJob#sizedEpochs}), never under DP-FedAvg, whose rounds spend privacy;
     * {@code --local-batch}: as parameter averaging's minibatch, at most the configured one.
     */
    @Override
    public RegimeSettings sizedTo(long rows, java.util.Set<String> sized, List<String> changes) {
        int r = rounds;
        if (sized.contains("--rounds") && dp == null) {
            r = Math.max(MIN_SIZED_ROUNDS, io.fedlake.train.TrainingJob.sizedEpochs(rows));
            changes.add("up to " + r + " rounds");
        }
        int b = localBatchSize;
        if (sized.contains("--local-batch") && localBatchSize > 0) {
            b = io.fedlake.train.TrainingJob.sizedBatch(rows, localBatchSize);
            changes.add("local minibatches of " + b);
        }
        return new FederatedConfig(clientColumn, r, localEpochs, b, minCompletion, roundRetries, roundTimeoutSeconds, clientDropout, stragglers,
                targetAuc, secureAggregation, dp, clientKeys);
    }

    @Override
    public String provenanceKey() {
        return "federated";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
