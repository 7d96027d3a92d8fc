package io.fedlake.train;

import io.fedlake.core.UserError;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * The classes of a user's label column, read from the table: what the network's head predicts and how a label
 * value maps to it. Values are compared as the translator reads them ({@link RowTranslator#labelText}: integral
 * numbers without a decimal point, booleans as 0/1).
 *
 * <ul>
 *   <li>binary (the default): 0/1 and true/false need nothing; two other values need {@code --positive VALUE};
 *       more than two are an error that names {@code --task multiclass};</li>
 *   <li>multiclass: a softmax over every value, in order (numerically when all are integers);</li>
 *   <li>regression ({@link #regression}): no classes, a numeric label.</li>
 * </ul>
 */
public final class LabelClasses {

    /** More distinct values than this is not a class label (an id or a measurement, most likely). */
    public static final int MAX_CLASSES = 1000;

    public static final List<String> TASKS = List.of("binary", "multiclass", "regression");

    private LabelClasses() {
    }

    /**
     * @param positive the positive class of a binary label (null: the label must be 0/1 or true/false)
     * @return the classes in head order; for binary, [negative, positive]
     */
    public static List<String> of(Dataset<Row> data, String table, String label, String task, String positive) {
        if (!TASKS.contains(task) || task.equals("regression")) {
            throw new IllegalArgumentException("classes are read for task binary or multiclass, got '" + task + "'");
        }
        List<String> values = distinct(data, label);
        if (values.isEmpty()) {
            throw new UserError("label column " + label + " of " + table + " has no values");
        }
        String shown = shown(values);
        if (task.equals("multiclass")) {
            if (positive != null) {
                throw new IllegalArgumentException("a positive class applies to a binary task, not multiclass");
            }
            if (values.size() > MAX_CLASSES) {
                throw new UserError("label column " + label + " of " + table + " has more than " + MAX_CLASSES + " values: not a class label");
            }
            if (values.size() < 2) {
                throw new UserError("label column " + label + " of " + table + " has one value (" + shown + "): nothing to learn");
            }
            return values;
        }
        if (positive != null) {
            if (!values.contains(positive)) {
                throw new UserError("--positive " + positive + " is not a value of label column " + label + " of " + table + " (values: " + shown + ")");
            }
            if (values.size() > 2) {
                throw new UserError("label column " + label + " of " + table + " has " + (values.size() > MAX_CLASSES ? "more than " + MAX_CLASSES : values.size())
                        + " values (" + shown + "): a binary label has two; give --task multiclass to predict each");
            }
            if (values.size() == 1) {
                throw new UserError("label column " + label + " of " + table + " has one value (" + shown + "): nothing to learn");
            }
            return List.of(values.get(0).equals(positive) ? values.get(1) : values.get(0), positive);
        }
        if (List.of("0", "1").containsAll(values)) {
            return List.of("0", "1");
        }
        if (values.size() == 2) {
            throw new UserError("label column " + label + " of " + table + " has the values " + shown
                    + ": name the positive class with --positive VALUE, e.g. --positive " + values.get(1));
        }
        throw new UserError("label column " + label + " of " + table + " has " + (values.size() > MAX_CLASSES ? "more than " + MAX_CLASSES : values.size())
                + " values (" + shown + "): a binary label has two (0/1, true/false, or two values with --positive); give --task multiclass to predict each"
                + (values.stream().allMatch(v -> v.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")) ? ", or --task regression to predict the number" : ""));
    }

    /**
     * A regression output for a numeric label column, named {@code predicted_<label>}; its standardisation is fitted on
     * the training split when the model is trained.
     */
    public static ModelSpec.Output regression(Dataset<Row> data, String table, String label) {
        org.apache.spark.sql.types.DataType type = data.schema().apply(label).dataType();
        if (!(type instanceof org.apache.spark.sql.types.NumericType)) {
            throw new UserError("label column " + label + " of " + table + " is " + type.simpleString()
                    + ": --task regression needs a numeric label (--task binary or multiclass predict classes)");
        }
        return ModelSpec.Output.regression("predicted_" + label, label);
    }

    /** Up to {@link #MAX_CLASSES} + 1 distinct non-null values as class text, integers numerically first, then text. */
    static List<String> distinct(Dataset<Row> data, String label) {
        TreeSet<String> texts = new TreeSet<>(Comparator.comparing((String s) -> !s.matches("-?\\d{1,18}"))
                .thenComparing(s -> s.matches("-?\\d{1,18}") ? Long.parseLong(s) : 0L).thenComparing(Comparator.naturalOrder()));
        for (Row r : data.select(col(label)).where(col(label).isNotNull()).distinct().limit(MAX_CLASSES + 1).collectAsList()) {
            texts.add(RowTranslator.labelText(r.get(0)));
        }
        return new ArrayList<>(texts);
    }

    private static String shown(List<String> values) {
        return values.size() <= 6 ? String.join(", ", values) : String.join(", ", values.subList(0, 5)) + ", …";
    }
}
