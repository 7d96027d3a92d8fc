package io.fedlake.bench;

import io.fedlake.train.federated.GaussianNoise;

import java.util.SplittableRandom;

/**
 * The assignment maths behind {@link Partitioners}, as pure functions: which shards a client owns, how large each
 * client is, and which bin a uniform draw falls into. Seeded, so a partitioning is reproducible from its seed.
 */
public final class ClientShares {

    private ClientShares() {
    }

    /** {@code client-i}, zero-padded to the width of K − 1 so ids sort in client order. */
    public static String clientId(int index, int clients) {
        int width = Integer.toString(Math.max(1, clients - 1)).length();
        return String.format("client-%0" + width + "d", index);
    }

    /**
     * Owner of each of the {@code clients · shardsPerClient} shards: shards are dealt to clients by a seeded
     * permutation, {@code shardsPerClient} each (McMahan et al. 2017's pathological non-IID split uses 2).
     */
    public static int[] shardOwners(int clients, int shardsPerClient, long seed) {
        if (clients < 1 || shardsPerClient < 1) {
            throw new IllegalArgumentException("clients and shards per client must be ≥ 1, got " + clients + " and " + shardsPerClient);
        }
        int shards = clients * shardsPerClient;
        int[] perm = new int[shards];
        for (int i = 0; i < shards; i++) {
            perm[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = shards - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] owner = new int[shards];
        for (int slot = 0; slot < shards; slot++) {
            owner[perm[slot]] = slot / shardsPerClient;
        }
        return owner;
    }

    /** Shard of the row at 0-based {@code position} among {@code total} rows cut into {@code shards} equal parts. */
    public static int shardOf(long position, long total, int shards) {
        return (int) Math.min(shards - 1, position * shards / total);
    }

    /**
     * Client proportions drawn from a symmetric Dirichlet(α) (Gamma(α) draws by Marsaglia and Tsang 2000, normalised):
     * small α gives a few large clients and many small ones, large α nearly equal sizes.
     */
    public static double[] dirichletProportions(int clients, double alpha, long seed) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be ≥ 1, got " + clients);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("Dirichlet alpha must be a finite number > 0, got " + alpha);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] p = new double[clients];
        double total = 0;
        for (int i = 0; i < clients; i++) {
            p[i] = gamma(alpha, rng);
            total += p[i];
        }
        for (int i = 0; i < clients; i++) {
            p[i] /= total;
        }
        return p;
    }

    /** Running sums of {@code p}, with the last forced to exactly 1 so every draw in [0, 1) lands in a bin. */
    public static double[] cumulative(double[] p) {
        double[] c = new double[p.length];
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += p[i];
            c[i] = s;
        }
        c[c.length - 1] = 1.0;
        return c;
    }

    /** The first bin i with {@code u < cumulative[i]}, for u in [0, 1). */
    public static int bin(double u, double[] cumulative) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static double gamma(double alpha, SplittableRandom rng) {
        if (alpha < 1) { // Gamma(α) = Gamma(α + 1)·U^{1/α}
            return gamma(alpha + 1, rng) * Math.pow(1 - rng.nextDouble(), 1 / alpha);
        }
        double d = alpha - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        double[] normal = new double[1];
        while (true) {
            normal[0] = 0;
            GaussianNoise.add(normal, 1.0, rng);
            double x = normal[0];
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
