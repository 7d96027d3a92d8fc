package io.fedlake.train.federated;

import java.util.SplittableRandom;

/**
 * Standard normal draws from a {@link SplittableRandom} by Marsaglia's polar method, so noise is a pure function of
 * the generator's seed: the same (seed, round) gives the same bits on every machine and after a resume, with no
 * shared {@code java.util.Random} state. Both values of each accepted pair are used.
 */
public final class GaussianNoise {

    private GaussianNoise() {
    }

    /** Adds {@code stddev · N(0, 1)} to every element of {@code target}, in place, drawing from {@code rng}. */
    public static void add(double[] target, double stddev, SplittableRandom rng) {
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
