package io.fedlake.generate;

import java.util.SplittableRandom;

/**
 * Random numbers for one synthetic row, derived from (seed, stream, id) only, so a row's values do not depend on
 * partitioning, task order or how many rows are generated: row 17 of a 1,000-row table equals row 17 of a
 * million-row table with the same seed.
 */
final class RowRandom {

    private final SplittableRandom random;
    private double spareGaussian = Double.NaN;

    RowRandom(long seed, long stream, long id) {
        this.random = new SplittableRandom(mix64(mix64(seed * 0x9E3779B97F4A7C15L + stream) + id));
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: consecutive inputs give unrelated outputs. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    double uniform() {
        return random.nextDouble();
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    boolean bernoulli(double p) {
        return random.nextDouble() < p;
    }

    /** Standard normal by the polar method. */
    double gaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * m;
        return u * m;
    }

    double gaussian(double mean, double sd) {
        return mean + sd * gaussian();
    }

    double logNormal(double mu, double sigma) {
        return Math.exp(mu + sigma * gaussian());
    }

    /** Poisson by inversion (Knuth); fine for the small rates used here. */
    int poisson(double lambda) {
        double l = Math.exp(-lambda);
        int k = 0;
        double p = random.nextDouble();
        while (p > l) {
            k++;
            p *= random.nextDouble();
        }
        return k;
    }

    /** Index drawn with probability proportional to {@code weights[i]}. */
    int choice(double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
