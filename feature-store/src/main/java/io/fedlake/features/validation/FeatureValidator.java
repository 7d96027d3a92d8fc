package io.fedlake.features.validation;

import io.fedlake.features.definition.FeatureDefinition;
import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.definition.ValidationRule;
import io.fedlake.features.definition.ValidationRule.Action;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static io.fedlake.core.TableNames.QUARANTINE_REASON;

/**
 * Applies the view's per-feature rules to the feature rows of one materialised range, in one aggregation pass.
 * A broken {@code fail} rule throws (naming view, range, feature, rule and counts) before anything is written. A
 * broken {@code quarantine} rule marks rows: a range rule marks the rows outside the range; a null-rate rule, once
 * the range's null rate exceeds its limit, marks the rows where the feature is missing. A row's reasons are joined
 * with {@code "; "}; unmarked rows have an empty reason.
 */
public final class FeatureValidator {

    /** Column holding the quarantine reason ("" for a good row). */

    private FeatureValidator() {
    }

    /** @param rows    feature rows (cache them: they are scanned here and again by the caller)
     *  @param context e.g. "features.v 2024-01-01..2024-01-31", prefixed to failure messages */
    public static Dataset<Row> mark(FeatureViewDefinition d, Dataset<Row> rows, String context) {
        List<FeatureDefinition> ruled = d.features().stream().filter(f -> f.validation() != null).toList();
        if (ruled.isEmpty()) {
            return rows.withColumn(QUARANTINE_REASON, lit(""));
        }
        List<Column> aggs = new ArrayList<>();
        for (FeatureDefinition f : ruled) {
            aggs.add(sum(when(missing(rows, f.name()), 1).otherwise(0)).as(f.name() + "__missing"));
            aggs.add(sum(when(outside(rows, f), 1).otherwise(0)).as(f.name() + "__outside"));
        }
        Row r = rows.agg(count(lit(1)).as("__rows"), aggs.toArray(Column[]::new)).head();
        long total = r.getLong(0);

        List<String> failures = new ArrayList<>();
        List<Column> reasons = new ArrayList<>();
        for (FeatureDefinition f : ruled) {
            ValidationRule rule = f.validation();
            long missing = r.isNullAt(r.fieldIndex(f.name() + "__missing")) ? 0 : r.getLong(r.fieldIndex(f.name() + "__missing"));
            long outside = r.isNullAt(r.fieldIndex(f.name() + "__outside")) ? 0 : r.getLong(r.fieldIndex(f.name() + "__outside"));
            double nullRate = total == 0 ? 0 : (double) missing / total;
            boolean nullRateBroken = rule.maxNullRate() != null && nullRate > rule.maxNullRate();
            if (rule.action() == Action.FAIL) {
                if (outside > 0) {
                    failures.add(String.format(Locale.ROOT, "feature '%s': %,d of %,d rows outside %s", f.name(), outside, total, rule.rangeText()));
                }
                if (nullRateBroken) {
                    failures.add(String.format(Locale.ROOT, "feature '%s': null rate %.4f > max_null_rate %s (%,d of %,d rows)", f.name(), nullRate,
                            rule.maxNullRate(), missing, total));
                }
            } else {
                if (rule.hasRange()) {
                    reasons.add(when(outside(rows, f), concat(lit(f.name() + "="), col(f.name()).cast("string"), lit(" outside " + rule.rangeText()))));
                }
                if (nullRateBroken) {
                    reasons.add(when(missing(rows, f.name()), lit(String.format(Locale.ROOT, "%s is missing (null rate %.4f > max_null_rate %s)",
                            f.name(), nullRate, rule.maxNullRate()))));
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new FeatureValidationException(context + " failed validation (" + d.file() + ", action fail): " + String.join("; ", failures));
        }
        return rows.withColumn(QUARANTINE_REASON, reasons.isEmpty() ? lit("") : concat_ws("; ", reasons.toArray(Column[]::new)));
    }

    static Column missing(Dataset<Row> rows, String name) {
        DataType t = rows.schema().apply(name).dataType();
        Column c = col(name);
        return t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType) ? c.isNull().or(isnan(c)) : c.isNull();
    }

    static Column outside(Dataset<Row> rows, FeatureDefinition f) {
        ValidationRule rule = f.validation();
        if (!rule.hasRange()) {
            return lit(false);
        }
        Column c = col(f.name()).cast("double");
        Column bad = lit(false);
        if (rule.min() != null) {
            bad = bad.or(c.lt(rule.min()));
        }
        if (rule.max() != null) {
            bad = bad.or(c.gt(rule.max()));
        }
        return missing(rows, f.name()).unary_$bang().and(bad);
    }
}
