package io.fedlake.train;

import io.fedlake.eval.BinaryMetrics;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Holdout metrics of a softmax output, computed on the executors: accuracy, log loss, macro-F1 (from the confusion
 * matrix, which has at most classes² cells and is the only thing collected) and the macro average of the
 * one-vs-rest AUCs (over the classes the holdout has). Rows without a label are left out.
 */
public final class MulticlassMetrics {

    private static final double EPS = 1e-15;

    private MulticlassMetrics() {
    }

    /** Counts by [true class][predicted class], in the output's class order. */
    public record Confusion(List<String> classes, long[][] counts) {
    }

    /** The named metrics and the confusion matrix they come from. */
    record Result(Map<String, Double> metrics, Confusion confusion) {
    }

    /** Metrics named {@code <prefix>accuracy}, {@code log_loss}, {@code macro_f1}, {@code auc_ovr}, and the confusion matrix. */
    static Result compute(Dataset<Row> scored, ModelSpec.Output o, String prefix) {
        List<String> names = o.classes();
        Column classes = functions.array(names.stream().map(functions::lit).toArray(Column[]::new));
        Column p = col(o.name());
        Column truth = col(o.column()).cast("string");
        Dataset<Row> rows = scored.where(col(o.column()).isNotNull())
                .select(truth.as("y"), p.as("p"),
                        functions.element_at(classes, functions.array_position(p, functions.array_max(p)).cast("int")).as("yhat"),
                        functions.element_at(p, functions.array_position(classes, truth).cast("int")).as("p_true"));
        Map<String, Double> m = new LinkedHashMap<>();
        Row agg = rows.agg(functions.avg(functions.when(col("y").equalTo(col("yhat")), 1.0).otherwise(0.0)),
                functions.avg(functions.negate(functions.log(functions.greatest(functions.coalesce(col("p_true"), functions.lit(0.0)), functions.lit(EPS)))))).head();
        m.put(prefix + "accuracy", agg.isNullAt(0) ? Double.NaN : agg.getDouble(0));
        m.put(prefix + "log_loss", agg.isNullAt(1) ? Double.NaN : agg.getDouble(1));
        long[][] confusion = confusion(rows, names);
        m.put(prefix + "macro_f1", macroF1(confusion));
        double aucSum = 0;
        int aucCount = 0;
        for (int k = 0; k < names.size(); k++) {
            if (java.util.Arrays.stream(confusion[k]).sum() == 0) {
                continue; // no holdout row of this class: its one-vs-rest AUC is undefined
            }
            Dataset<Row> oneVsRest = rows.select(functions.when(col("y").equalTo(functions.lit(names.get(k))), 1.0).otherwise(0.0).as("is_k"),
                    functions.element_at(col("p"), k + 1).as("p_k"));
            double auc = BinaryMetrics.compute(oneVsRest, "is_k", "p_k", 0.5).auc();
            if (!Double.isNaN(auc)) {
                aucSum += auc;
                aucCount++;
            }
        }
        m.put(prefix + "auc_ovr", aucCount == 0 ? Double.NaN : aucSum / aucCount);
        return new Result(m, new Confusion(List.copyOf(names), confusion));
    }

    /** Counts by [true class][predicted class], in the output's class order; labels outside the classes are left out. */
    static long[][] confusion(Dataset<Row> rows, List<String> names) {
        long[][] c = new long[names.size()][names.size()];
        for (Row r : rows.groupBy("y", "yhat").count().collectAsList()) {
            int t = names.indexOf(r.getString(0));
            int h = names.indexOf(r.getString(1));
            if (t >= 0 && h >= 0) {
                c[t][h] += r.getLong(2);
            }
        }
        return c;
    }

    /**
     * The unweighted mean of F1 = 2·TP / (2·TP + FP + FN) over the classes that occur in the holdout or are
     * predicted (as scikit-learn's macro average over the labels present); NaN when there are none.
     */
    static double macroF1(long[][] c) {
        int k = c.length;
        double sum = 0;
        int present = 0;
        for (int i = 0; i < k; i++) {
            long tp = c[i][i];
            long fn = 0;
            long fp = 0;
            for (int j = 0; j < k; j++) {
                if (j != i) {
                    fn += c[i][j];
                    fp += c[j][i];
                }
            }
            long denominator = 2 * tp + fp + fn;
            if (denominator > 0) {
                sum += 2.0 * tp / denominator;
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }
}
