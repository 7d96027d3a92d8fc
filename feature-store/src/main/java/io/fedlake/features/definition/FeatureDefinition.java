package io.fedlake.features.definition;

import java.io.Serializable;
import java.time.Duration;

/**
 * One feature of a view.
 *
 * @param name        output column name
 * @param expr        Spark SQL expression over the source table's columns; with a {@code window} a single aggregate
 *                    call such as {@code count(*)} or {@code avg(loan_amount)}
 * @param window      null for a row-level expression; otherwise the aggregate is evaluated over the source rows with the
 *                    same join keys whose event timestamp lies in {@code [t - window, t]} (rows at exactly {@code t},
 *                    including the row itself, count)
 * @param type        Spark SQL type the value is cast to ({@code double}, {@code bigint}, {@code int}, {@code string}, …)
 * @param description what it means
 * @param validation  the feature's rule, or null
 */
public record FeatureDefinition(String name, String expr, Duration window, String type, String description,
                                ValidationRule validation) implements Serializable {

    public boolean windowed() {
        return window != null;
    }
}
