package io.fedlake.train.federated;

import java.util.random.RandomGenerator;

/**
 * Standard normal draws by Marsaglia's polar method (Marsaglia and Bray 1964, "A Convenient Method for Generating
 * Normal Variables"): pairs of uniforms in the unit disc turned into two independent normals. The generator decides
 * what the draws are good for: a seeded {@link java.util.SplittableRandom} gives reproducible synthetic data; DP
 * noise must come from a {@link java.security.SecureRandom} ({@link DpFedAvg#secureGenerator()}), whose output nobody
 * can regenerate from the job's seed or provenance. Both values of each accepted pair are used.
 */
public final class GaussianNoise {

    private GaussianNoise() {
    }

    /** Adds {@code stddev · N(0, 1)} to every element of {@code target}, in place, drawing uniforms from {@code rng}. */
    public static void add(double[] target, double stddev, RandomGenerator rng) {
        int i = 0;
        while (i < target.length) {
            double u;
            double v;
            double s;
            do {
                u = 2 * rng.nextDouble() - 1;
                v = 2 * rng.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double factor = Math.sqrt(-2 * Math.log(s) / s);
            target[i++] += stddev * u * factor;
            if (i < target.length) {
                target[i++] += stddev * v * factor;
            }
        }
    }
}
