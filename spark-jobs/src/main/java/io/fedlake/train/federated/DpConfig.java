package io.fedlake.train.federated;

import java.io.Serializable;

/**
 * User-level differential privacy for federated averaging, DP-FedAvg (McMahan et al. 2018, "Learning Differentially
 * Private Recurrent Language Models"): every client delta is clipped to L2 norm {@code clipNorm} (S in the paper)
 * and Gaussian noise of standard deviation {@code noiseMultiplier · clipNorm} (z·S) is added to the sum.
 *
 * @param clipNorm        clipping bound C = S, &gt; 0
 * @param noiseMultiplier z, the noise standard deviation in units of C; ≥ 0 (0 = clipping only, no privacy)
 * @param delta           target δ of the (ε, δ) guarantee, in (0, 1); typically below 1/number of clients
 * @param epsilonBudget   ε at which training stops, &gt; 0; {@code Double.POSITIVE_INFINITY} for "account, never stop"
 */
public record DpConfig(double clipNorm, double noiseMultiplier, double delta, double epsilonBudget) implements Serializable {

    public DpConfig {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be a finite number > 0, got " + clipNorm);
        }
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noiseMultiplier must be a finite number ≥ 0, got " + noiseMultiplier);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (!(epsilonBudget > 0)) {
            throw new IllegalArgumentException("epsilonBudget must be > 0 (or +Infinity for no limit), got " + epsilonBudget);
        }
    }

    /** Standard deviation of the noise added to the sum of clipped deltas, z·C. */
    public double noiseStddev() {
        return noiseMultiplier * clipNorm;
    }
}
