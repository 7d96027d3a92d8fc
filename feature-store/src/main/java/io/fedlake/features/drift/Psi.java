package io.fedlake.features.drift;

/**
 * Population stability index between an expected (training) and an actual (scoring) distribution over the same bins:
 * {@code PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)} with {@code eᵢ, aᵢ} the bins' shares (Siddiqi, "Credit Risk Scorecards",
 * 2006; Yurdakul, "Statistical properties of the population stability index", 2018). An empty bin would make the
 * logarithm infinite, so shares below {@link #MIN_SHARE} are raised to it — the usual practice; it bounds one empty
 * bin's contribution instead of letting it dominate.
 *
 * <p>Bands: below 0.1 {@code stable}, 0.1 to below 0.25 {@code moderate} (investigate), 0.25 and above
 * {@code significant} (the population has shifted; retrain or check the data).
 */
public final class Psi {

    public static final double MIN_SHARE = 1e-4;
    public static final double MODERATE = 0.1;
    public static final double SIGNIFICANT = 0.25;

    private Psi() {
    }

    /** PSI of two histograms with the same bins (counts, not shares). */
    public static double index(long[] expected, long[] actual) {
        if (expected.length != actual.length || expected.length == 0) {
            throw new IllegalArgumentException("histograms must have the same, non-zero number of bins, got " + expected.length + " and " + actual.length);
        }
        long e = 0;
        long a = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] < 0 || actual[i] < 0) {
                throw new IllegalArgumentException("bin counts must be ≥ 0, bin " + i + " has " + expected[i] + " and " + actual[i]);
            }
            e += expected[i];
            a += actual[i];
        }
        if (e == 0 || a == 0) {
            throw new IllegalArgumentException("both histograms need at least one value, got " + e + " expected and " + a + " actual");
        }
        double psi = 0;
        for (int i = 0; i < expected.length; i++) {
            double pe = Math.max((double) expected[i] / e, MIN_SHARE);
            double pa = Math.max((double) actual[i] / a, MIN_SHARE);
            psi += (pa - pe) * Math.log(pa / pe);
        }
        return psi;
    }

    public static String band(double psi) {
        if (psi < MODERATE) {
            return "stable";
        }
        return psi < SIGNIFICANT ? "moderate" : "significant";
    }
}
