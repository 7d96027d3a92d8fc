package io.fedlake.train.federated;

import io.fedlake.core.Seeds;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Seeded client sampling: each round draws {@code max(minClients, ceil(fraction · K))} of the K available clients
 * without replacement (McMahan et al. 2017's C), from a generator derived from (seed, round) so a resumed run
 * draws the same clients. The result is sorted.
 *
 * <p>Under DP-FedAvg the engine samples with {@link #poisson} instead: each client independently with probability q
 * from a secure generator, the sampling the RDP accountant of the sampled Gaussian mechanism assumes.
 */
public record ClientSampling(double fraction, int minClients) implements Serializable {

    public ClientSampling {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("client fraction must be in (0, 1], got " + fraction);
        }
        if (minClients < 1) {
            throw new IllegalArgumentException("minimum clients per round must be ≥ 1, got " + minClients);
        }
    }

    public static ClientSampling all() {
        return new ClientSampling(1.0, 1);
    }

    public List<String> sample(int round, List<String> available, long seed) {
        List<String> pool = new ArrayList<>(available);
        pool.sort(null);
        int k = Math.min(pool.size(), Math.max(minClients, (int) Math.ceil(fraction * pool.size() - 1e-9)));
        SplittableRandom rng = new SplittableRandom(mix(seed, round));
        for (int i = 0; i < k; i++) { // partial Fisher–Yates
            int j = i + rng.nextInt(pool.size() - i);
            String t = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, t);
        }
        List<String> chosen = new ArrayList<>(pool.subList(0, k));
        chosen.sort(null);
        return chosen;
    }

    /**
     * Poisson sampling (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
     * Mechanism", §2): each of {@code available} is included independently with probability {@code q}, so the
     * number drawn is Binomial(K, q) and may be 0. The result is sorted.
     *
     * @param rng one uniform per client, in sorted client order; a {@link java.security.SecureRandom} in training
     */
    public static List<String> poisson(List<String> available, double q, RandomGenerator rng) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in (0, 1], got " + q);
        }
        List<String> pool = new ArrayList<>(available);
        pool.sort(null);
        List<String> chosen = new ArrayList<>();
        for (String c : pool) {
            if (rng.nextDouble() < q) {
                chosen.add(c);
            }
        }
        return chosen;
    }

    /** {@link Seeds#mix}: kept for the callers in this package. */
    public static long mix(long seed, long stream) {
        return Seeds.mix(seed, stream);
    }
}
