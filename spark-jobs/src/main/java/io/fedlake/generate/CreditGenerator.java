package io.fedlake.generate;

import io.fedlake.preset.Domain;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Synthetic consumer-credit applications with a 12-month default label (about 9 % positive) drawn from
 * {@link CreditRisk}. Branches ({@code branch_id}, the federated client key) differ in size, income level,
 * applicant age and baseline risk, so branch data are not identically distributed.
 */
final class CreditGenerator implements Serializable {

    static final String[] HOME_OWNERSHIP = {"RENT", "OWN", "MORTGAGE", "OTHER"};
    static final String[] PURPOSES = {"debt_consolidation", "credit_card", "home_improvement", "small_business", "car", "medical", "other"};
    static final String[] EMPLOYMENT = {"salaried", "self_employed", "unemployed", "retired"};
    static final int BRANCHES = 24;
    private static final int[] TERMS = {12, 24, 36, 48, 60, 72};
    private static final long BRANCH_STREAM = 11;
    private static final long ROW_STREAM = 12;
    private static final Instant START = LocalDate.of(2024, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    private static final long SPAN_SECONDS = 730L * 24 * 3600;

    static final StructType SCHEMA = Domain.CREDIT.rawSchema();

    private final long seed;
    private final double[] branchWeights = new double[BRANCHES];
    private final double[] branchIncome = new double[BRANCHES];
    private final double[] branchOffset = new double[BRANCHES];
    private final double[] branchAgeShift = new double[BRANCHES];

    CreditGenerator(long seed) {
        this.seed = seed;
        for (int b = 0; b < BRANCHES; b++) {
            RowRandom r = new RowRandom(seed, BRANCH_STREAM, b);
            branchWeights[b] = 1.0 / Math.pow(b + 2, 0.7);
            branchIncome[b] = Math.exp(r.gaussian(0, 0.22));
            branchOffset[b] = r.gaussian(0, 0.3);
            branchAgeShift[b] = r.gaussian(0, 4);
        }
    }

    Row row(long id) {
        RowRandom r = new RowRandom(seed, ROW_STREAM, id);
        int branch = r.choice(branchWeights);
        double latent = r.gaussian();

        int age = (int) Math.round(RowRandom.clamp(r.gaussian(42 + branchAgeShift[branch], 13), 18, 85));
        int employment = age >= 63 && r.bernoulli(0.65) ? 3 : r.choice(new double[]{0.74, 0.17, 0.06 + 0.03 * Math.max(latent, 0), 0.01});
        double employmentYears = employment <= 1
                ? Math.round(RowRandom.clamp(r.logNormal(Math.log(5), 0.8), 0, age - 17) * 10) / 10.0 : 0.0;
        double incomeFactor = switch (employment) {
            case 1 -> 1.1;
            case 2 -> 0.35;
            case 3 -> 0.6;
            default -> 1.0;
        };
        double ageCurve = 1.0 + 0.25 * Math.sin(Math.PI * RowRandom.clamp((age - 18) / 50.0, 0, 1));
        double income = Math.round(r.logNormal(Math.log(46_000 * branchIncome[branch] * incomeFactor * ageCurve), 0.5) / 100.0) * 100.0;
        income = Math.max(income, 6_000);

        double pMortgage = RowRandom.sigmoid(-2.2 + 0.06 * (age - 25) + 0.9 * Math.log(income / 50_000));
        int home = r.bernoulli(0.02) ? 3 : r.bernoulli(pMortgage) ? 2 : r.bernoulli(0.18 + 0.004 * (age - 18)) ? 1 : 0;
        int purpose = r.choice(new double[]{0.34, 0.2, 0.12, 0.05, 0.12, 0.05, 0.12});

        double loan = RowRandom.clamp(r.logNormal(Math.log(11_000) + 0.45 * Math.log(income / 50_000) + (purpose == 3 ? 0.6 : 0), 0.6), 1_000, 150_000);
        loan = Math.round(loan / 100.0) * 100.0;
        int term = TERMS[r.choice(loan > 25_000 ? new double[]{0.02, 0.05, 0.25, 0.2, 0.33, 0.15} : new double[]{0.15, 0.25, 0.35, 0.12, 0.1, 0.03})];

        int delinquencies = r.poisson(0.12 + 0.35 * Math.exp(0.8 * latent) * 0.5);
        double utilization = Math.round(RowRandom.clamp(0.38 + 0.16 * latent + r.gaussian(0, 0.22), 0, 1.25) * 1000) / 1000.0;
        int inquiries = r.poisson(0.7 + 0.5 * Math.max(latent + 0.5, 0));
        double history = Math.round(RowRandom.clamp(Math.min(age - 18, r.logNormal(Math.log(Math.max(age - 20, 1) * 0.55 + 1), 0.45)), 0, 60) * 10) / 10.0;
        int openAccounts = r.poisson(2.5 + history / 5);

        // The lender prices partly on what it sees; the rate carries some (not all) of the risk signal.
        double rate = Math.round(RowRandom.clamp(5.5 + 2.2 * delinquencies + 3.5 * Math.max(utilization - 0.5, 0) + 0.5 * inquiries
                + 0.8 * Math.log(50_000 / income) + r.gaussian(0, 1.6), 3.5, 29.9) * 100) / 100.0;
        double monthlyRate = rate / 1200.0;
        double payment = loan * monthlyRate / (1 - Math.pow(1 + monthlyRate, -term));
        double existingDti = RowRandom.clamp(r.gaussian(0.17 + 0.04 * latent, 0.08), 0, 0.65);
        double dti = Math.round((existingDti + 12 * payment / income) * 10_000) / 10_000.0;

        double logit = CreditRisk.logit(age, income, term, dti, history, delinquencies, utilization, inquiries, purpose, home,
                employment, branchOffset[branch], latent);
        int defaulted = r.bernoulli(CreditRisk.probability(logit)) ? 1 : 0;

        Instant ts = START.plusSeconds((long) (r.uniform() * SPAN_SECONDS));
        return RowFactory.create(
                String.format("APP-%010d", id),
                String.format("CUS-%09d", RowRandom.mix64(seed ^ id) >>> 35),
                Timestamp.from(ts),
                Date.valueOf(ts.atZone(ZoneOffset.UTC).toLocalDate()),
                String.format("BR-%03d", branch + 1),
                age, income, EMPLOYMENT[employment], employmentYears, HOME_OWNERSHIP[home], PURPOSES[purpose], loan, term, rate,
                dti, history, openAccounts, delinquencies, utilization, inquiries, defaulted);
    }
}
