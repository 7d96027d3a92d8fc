package io.fedlake.translate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns of a tabular table are what: label, entity key, client key, numeric and categorical features.
 * The domains are presets of this; any ingested Delta table can be described with one.
 */
public record TabularSpec(String label, String entityKey, String clientKey, List<String> numeric, List<String> categorical)
        implements Serializable {

    public TabularSpec {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("label column must not be blank");
        }
        if (entityKey == null || entityKey.isBlank()) {
            throw new IllegalArgumentException("entity key column must not be blank");
        }
        numeric = List.copyOf(numeric);
        categorical = List.copyOf(categorical);
        if (numeric.isEmpty() && categorical.isEmpty()) {
            throw new IllegalArgumentException("at least one feature column is needed");
        }
        List<String> all = new ArrayList<>(numeric);
        all.addAll(categorical);
        for (String c : all) {
            if (c.equals(label) || c.equals(entityKey)) {
                throw new IllegalArgumentException("column '" + c + "' cannot be both a feature and the label or key");
            }
        }
        if (all.stream().distinct().count() != all.size()) {
            throw new IllegalArgumentException("a column is listed twice among the features: " + all);
        }
    }

    /** The network output trained against the label column: a binary probability with classes 0 and 1. */
    public io.fedlake.zoo.ModelSpec.Output output() {
        return new io.fedlake.zoo.ModelSpec.Output("p_" + label, label, List.of("0", "1"));
    }

    /** The credit preset over {@code raw.credit}. */
    public static TabularSpec credit() {
        return new TabularSpec("defaulted_12m", "application_id", "branch_id",
                List.of("age", "annual_income", "employment_years", "loan_amount", "loan_term_months", "interest_rate",
                        "debt_to_income", "credit_history_years", "num_open_accounts", "num_delinquencies_2y",
                        "revolving_utilization", "num_inquiries_6m"),
                List.of("employment_type", "home_ownership", "loan_purpose"));
    }

    public List<String> featureColumns() {
        List<String> all = new ArrayList<>(numeric);
        all.addAll(categorical);
        return all;
    }
}
