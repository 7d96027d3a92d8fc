package io.fedlake.train.federated;

import java.io.Serializable;

/**
 * How a client trains in one round.
 *
 * @param localEpochs passes over the client's data (E in McMahan et al. 2017); ≥ 1
 * @param batchSize   minibatch size (B); 0 means the client's whole data set as one batch (FedSGD when E = 1)
 * @param proximalMu  FedProx proximal coefficient μ (Li et al. 2020): local steps also pull the parameters towards
 *                    the round's global parameters with gradient μ·(w − w_global); 0 = plain FedAvg
 * @param workFraction fraction of the E local epochs this client manages (1 = all); below 1 simulates a straggler
 *                    (systems heterogeneity as in Li et al. 2020, §5)
 */
public record FitInstructions(int localEpochs, int batchSize, double proximalMu, double workFraction) implements Serializable {

    public FitInstructions {
        if (localEpochs < 1) {
            throw new IllegalArgumentException("local epochs must be ≥ 1, got " + localEpochs);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size must be ≥ 0 (0 = full batch), got " + batchSize);
        }
        if (!(proximalMu >= 0)) {
            throw new IllegalArgumentException("proximal mu must be ≥ 0, got " + proximalMu);
        }
        if (!(workFraction > 0 && workFraction <= 1)) {
            throw new IllegalArgumentException("work fraction must be in (0, 1], got " + workFraction);
        }
    }

    public FitInstructions withProximalMu(double mu) {
        return new FitInstructions(localEpochs, batchSize, mu, workFraction);
    }

    public FitInstructions withWorkFraction(double fraction) {
        return new FitInstructions(localEpochs, batchSize, proximalMu, fraction);
    }
}
