package io.fedlake.score;

import io.fedlake.preset.Domain;

import java.util.List;
import java.util.Map;

/** Per-domain scoring words: what a high probability means, and readable names for credit reason codes. */
public final class ScoringPresets {

    private ScoringPresets() {
    }

    /** Decision at or above the threshold, then below it. */
    public static List<String> decisions(Domain domain) {
        return switch (domain) {
            case CREDIT -> List.of("decline", "approve");
            case IMAGING -> List.of("refer", "routine");
            case DEFECT -> List.of("reject", "pass");
        };
    }

    public static double defaultThreshold(Domain domain) {
        return domain == Domain.CREDIT ? 0.2 : 0.5;
    }

    /** Reason codes per applicant: what an adverse-action notice lists. Only credit has them by default. */
    public static int defaultReasonCodes(Domain domain) {
        return domain == Domain.CREDIT ? 4 : 0;
    }

    /** Readable names of the credit features, as a notice would print them. */
    public static Map<String, String> featureLabels(Domain domain) {
        if (domain != Domain.CREDIT) {
            return Map.of();
        }
        return Map.ofEntries(
                Map.entry("age", "Applicant age"),
                Map.entry("annual_income", "Annual income"),
                Map.entry("employment_years", "Length of employment"),
                Map.entry("loan_amount", "Amount requested"),
                Map.entry("loan_term_months", "Loan term"),
                Map.entry("interest_rate", "Interest rate offered"),
                Map.entry("debt_to_income", "Debt-to-income ratio"),
                Map.entry("credit_history_years", "Length of credit history"),
                Map.entry("num_open_accounts", "Number of open accounts"),
                Map.entry("num_delinquencies_2y", "Delinquencies in the last 2 years"),
                Map.entry("revolving_utilization", "Revolving credit utilisation"),
                Map.entry("num_inquiries_6m", "Credit inquiries in the last 6 months"),
                Map.entry("employment_type", "Employment status"),
                Map.entry("home_ownership", "Housing status"),
                Map.entry("loan_purpose", "Loan purpose"));
    }
}
