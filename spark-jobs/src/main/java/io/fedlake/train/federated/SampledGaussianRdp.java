package io.fedlake.train.federated;

/**
 * Rényi differential privacy of one step of the Sampled Gaussian Mechanism — each record (here: each client) is
 * included independently with probability q and Gaussian noise of standard deviation z times the sensitivity is
 * added (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism";
 * RDP itself: Mironov 2017, "Rényi Differential Privacy").
 *
 * <p>RDP at order α is {@code log(A_α)/(α−1)} with {@code A_α = E_{x∼N(0,z²)}[((1−q) + q·e^{(2x−1)/(2z²)})^α]}.
 * For integer α, A_α is the binomial sum of §3.3 of that paper (computed in log space); for fractional α, the
 * two-sided series of §3.3 split at {@code z₀ = z²·log(1/q − 1) + 1/2}, summed until its terms fall below e⁻³⁰.
 * This is the same computation as TensorFlow Privacy's {@code rdp_accountant.py} ({@code _compute_log_a_int} and
 * {@code _compute_log_a_frac}) and Opacus's {@code analysis/rdp.py}. For q = 1 the mechanism is the plain Gaussian,
 * α/(2z²).
 */
public final class SampledGaussianRdp {

    private static final int MAX_SERIES_TERMS = 1_000_000;

    private SampledGaussianRdp() {
    }

    /**
     * RDP of one step at {@code order}.
     *
     * @param q     sampling probability in [0, 1]
     * @param z     noise multiplier ≥ 0 (0 gives +∞ unless q = 0)
     * @param order Rényi order α &gt; 1, may be +∞
     */
    public static double rdp(double q, double z, double order) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        }
        if (!(z >= 0)) {
            throw new IllegalArgumentException("noise multiplier must be ≥ 0, got " + z);
        }
        if (!(order > 1)) {
            throw new IllegalArgumentException("Rényi order must be > 1, got " + order);
        }
        if (q == 0) {
            return 0;
        }
        if (z == 0 || Double.isInfinite(order)) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return order / (2 * z * z);
        }
        double logA = order == Math.rint(order) && order < Integer.MAX_VALUE
                ? logAInteger(q, z, (int) order)
                : logAFractional(q, z, order);
        return logA / (order - 1);
    }

    /** log A_α for integer α: log Σ_{i=0..α} C(α,i)·q^i·(1−q)^{α−i}·exp((i²−i)/(2z²)). */
    static double logAInteger(double q, double z, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoZ2 = 2 * z * z;
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0; // log C(α, 0)
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log(alpha - i + 1) - Math.log(i);
            }
            double term = logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoZ2;
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /** log A_α for fractional α: the series of Mironov, Talwar, Zhang 2019 §3.3, split at z₀. */
    static double logAFractional(double q, double z, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = z * z * Math.log(1 / q - 1) + 0.5;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoZ2 = 2 * z * z;
        double sqrt2z = Math.sqrt(2) * z;
        double logAbsBinom = 0; // |C(α, 0)| = 1
        boolean positive = true;
        for (int i = 0; ; i++) {
            if (i > 0) {
                double factor = (alpha - i + 1) / i; // C(α, i) = C(α, i−1)·(α−i+1)/i
                positive ^= factor < 0;
                logAbsBinom += Math.log(Math.abs(factor));
            }
            double j = alpha - i;
            double logT0 = logAbsBinom + i * logQ + j * log1mQ;
            double logT1 = logAbsBinom + j * logQ + i * log1mQ;
            double logE0 = Math.log(0.5) + logErfc((i - z0) / sqrt2z);
            double logE1 = Math.log(0.5) + logErfc((z0 - j) / sqrt2z);
            double logS0 = logT0 + ((double) i * i - i) / twoZ2 + logE0;
            double logS1 = logT1 + (j * j - j) / twoZ2 + logE1;
            if (positive) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) {
                break;
            }
            if (i > MAX_SERIES_TERMS) {
                throw new ArithmeticException("RDP series did not converge for q=" + q + ", z=" + z + ", order=" + alpha);
            }
        }
        return logAdd(logA0, logA1);
    }

    static double logAdd(double logX, double logY) {
        double a = Math.min(logX, logY);
        double b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /** log(e^x − e^y); the series guarantees a non-negative result, so a negative one is a numerical failure. */
    static double logSub(double logX, double logY) {
        if (logX < logY) {
            throw new ArithmeticException("RDP series: subtraction would go negative (log " + logX + " − log " + logY + ")");
        }
        if (logY == Double.NEGATIVE_INFINITY) {
            return logX;
        }
        if (logX == logY) {
            return Double.NEGATIVE_INFINITY;
        }
        double d = Math.expm1(logX - logY);
        return Double.isInfinite(d) ? logX : Math.log(d) + logY;
    }

    /**
     * log(erfc(x)), accurate in the far tail where erfc underflows: erfc(x) = Q(1/2, x²) for x ≥ 0, with the
     * regularised incomplete gamma function evaluated by its series for x² &lt; 1.5 and by its continued fraction
     * (modified Lentz) in log form beyond (Press et al., Numerical Recipes, §6.2); erfc(−x) = 2 − erfc(x).
     */
    static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return Math.log(2 - Math.exp(logErfc(-x)));
        }
        double a = x * x;
        if (a == 0) {
            return 0;
        }
        double logPrefactor = -a + 0.5 * Math.log(a) - 0.5 * Math.log(Math.PI); // e^{−a}·a^{1/2}/Γ(1/2)
        if (a < 1.5) {
            double ap = 0.5;
            double del = 1 / ap;
            double sum = del;
            for (int n = 0; n < 1000 && Math.abs(del) > Math.abs(sum) * 1e-17; n++) {
                ap += 1;
                del *= a / ap;
                sum += del;
            }
            double p = sum * Math.exp(logPrefactor);
            return Math.log1p(-p);
        }
        final double tiny = 1e-300;
        double b = a + 0.5;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - 0.5);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-16) {
                break;
            }
        }
        return logPrefactor + Math.log(h);
    }
}
