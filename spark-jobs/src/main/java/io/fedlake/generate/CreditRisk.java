package io.fedlake.generate;

/**
 * The true default model behind the synthetic credit data, as a pure function so tests can compare what a
 * model learns against the best achievable. It is deliberately not linear in the raw features: a debt-to-income
 * hinge, an age U-shape, a utilisation × delinquency interaction and a log-income effect, so that an MLP can
 * beat a logistic regression on the raw columns. A latent risk term (unobserved, partly visible through
 * delinquencies, utilisation and inquiries) keeps the ceiling realistic.
 */
public final class CreditRisk {

    private CreditRisk() {
    }

    /** Intercept calibrated so that about 9 % of applications default within 12 months. */
    static final double INTERCEPT = -3.55;

    /**
     * Log-odds of default within 12 months.
     *
     * @param purpose    index into {@link CreditGenerator#PURPOSES}
     * @param home       index into {@link CreditGenerator#HOME_OWNERSHIP}
     * @param employment index into {@link CreditGenerator#EMPLOYMENT}
     */
    public static double logit(double age, double annualIncome, int termMonths, double debtToIncome,
                               double creditHistoryYears, int delinquencies2y, double revolvingUtilization,
                               int inquiries6m, int purpose, int home, int employment, double branchOffset,
                               double latentRisk) {
        double z = INTERCEPT;
        z += 5.0 * Math.max(0.0, debtToIncome - 0.36);
        z += revolvingUtilization > 0.8 ? (delinquencies2y > 0 ? 1.5 : 0.5) : 0.0;
        z += 0.45 * Math.min(delinquencies2y, 4);
        z += 0.18 * Math.min(inquiries6m, 6);
        double a = (age - 45.0) / 18.0;
        z += 0.9 * a * a - 0.2;
        z -= 0.55 * Math.log(Math.max(annualIncome, 5_000) / 50_000.0);
        z += EMPLOYMENT_EFFECT[employment];
        z += PURPOSE_EFFECT[purpose];
        z += HOME_EFFECT[home];
        z -= 0.035 * Math.min(creditHistoryYears, 25);
        z += termMonths >= 60 ? 0.35 : 0.0;
        z += branchOffset;
        z += 0.6 * latentRisk;
        return z;
    }

    public static double probability(double logit) {
        return RowRandom.sigmoid(logit);
    }

    // Order matches CreditGenerator's category arrays.
    private static final double[] EMPLOYMENT_EFFECT = {0.0, 0.3, 0.9, 0.1};
    private static final double[] PURPOSE_EFFECT = {0.2, 0.1, -0.3, 0.7, -0.2, 0.3, 0.0};
    private static final double[] HOME_EFFECT = {0.25, -0.2, 0.0, 0.3};
}
