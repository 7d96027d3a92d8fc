package io.fedlake.train.federated;

import java.io.Serializable;

/**
 * What one client may send and how many clients a job may have. A client's update is screened inside its own task
 * before it joins the aggregate: a NaN/inf or an L2 norm above {@code maxUpdateNorm} makes that client a failed
 * client of the round (with the reason, counted against {@code --min-completion}) instead of poisoning the sum or
 * failing the job — the norm bound is the robustness half of Sun et al. 2019 ("Can you really backdoor federated
 * learning?", norm clipping against boosted updates), applied as rejection here. {@code maxClients} caps the
 * client column's cardinality: each client becomes a shard and a task.
 *
 * @param maxUpdateNorm largest L2 norm of a client's parameter delta accepted (&gt; 0; infinity = no bound)
 * @param maxClients    largest number of distinct client values (≥ 1)
 */
public record ClientLimits(double maxUpdateNorm, int maxClients) implements Serializable {

    /** A delta of norm 1,000 is orders of magnitude beyond a healthy local epoch of the zoo's models (norms ≈ 0.1–50). */
    public static final double DEFAULT_MAX_UPDATE_NORM = 1_000;
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    public static final ClientLimits DEFAULTS = new ClientLimits(DEFAULT_MAX_UPDATE_NORM, DEFAULT_MAX_CLIENTS);

    public ClientLimits {
        if (!(maxUpdateNorm > 0)) {
            throw new IllegalArgumentException("max update norm must be > 0 (--max-update-norm), got " + maxUpdateNorm);
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("max clients must be ≥ 1 (--max-clients), got " + maxClients);
        }
    }

    /** Why {@code delta} is refused, or null when it is finite and within the norm bound. */
    public String reject(float[] delta) {
        int nonFinite = 0;
        double sq = 0;
        for (float v : delta) {
            if (!Float.isFinite(v)) {
                nonFinite++;
            } else {
                sq += (double) v * v;
            }
        }
        if (nonFinite > 0) {
            return "update has " + nonFinite + " non-finite value(s) (NaN or infinity) of " + delta.length;
        }
        double norm = Math.sqrt(sq);
        if (!(norm <= maxUpdateNorm)) {
            return String.format("update L2 norm %.4g exceeds the bound %.4g (--max-update-norm)", norm, maxUpdateNorm);
        }
        return null;
    }
}
