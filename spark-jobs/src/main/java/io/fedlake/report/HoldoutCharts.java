package io.fedlake.report;

import io.fedlake.eval.BinaryMetrics;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fedlake.report.HoldoutScores.CLIENT;
import static io.fedlake.report.HoldoutScores.LABEL;
import static io.fedlake.report.HoldoutScores.PROBABILITY;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * What a validator reads off a binary classifier's scored holdout, computed on the executors: ROC and
 * precision–recall curves (MLlib's, down-sampled to {@value #CURVE_BINS} thresholds), the reliability diagram over
 * {@value #CALIBRATION_BINS} equal-width probability bins with the Brier score, the confusion matrix at the decision
 * threshold, and the same metrics per client.
 */
final class HoldoutCharts {

    static final int CURVE_BINS = 400;
    static final int CALIBRATION_BINS = 10;

    private HoldoutCharts() {
    }

    record Curves(double[] fpr, double[] tpr, double[] recall, double[] precision, double auc, double aucPr) {
    }

    static Curves curves(Dataset<Row> scores) {
        BinaryClassificationMetrics m = new BinaryClassificationMetrics(scores.select(PROBABILITY, LABEL).javaRDD()
                .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1))).rdd(), CURVE_BINS);
        try {
            List<Tuple2<Object, Object>> roc = m.roc().toJavaRDD().collect();
            List<Tuple2<Object, Object>> pr = m.pr().toJavaRDD().collect();
            return new Curves(first(roc), second(roc), first(pr), second(pr), m.areaUnderROC(), m.areaUnderPR());
        } finally {
            m.unpersist();
        }
    }

    /** Per calibration bin: mean predicted probability, observed positive rate, rows. */
    record Calibration(double[] predicted, double[] observed, long[] rows, double brier) {
    }

    static Calibration calibration(Dataset<Row> scores) {
        Column bin = least(floor(col(PROBABILITY).multiply(CALIBRATION_BINS)), lit(CALIBRATION_BINS - 1));
        List<Row> bins = scores.groupBy(bin.as("bin")).agg(avg(PROBABILITY), avg(LABEL), count(lit(1))).orderBy("bin").collectAsList();
        double brier = scores.agg(avg(pow(col(PROBABILITY).minus(col(LABEL)), 2))).head().getDouble(0);
        double[] p = new double[bins.size()];
        double[] o = new double[bins.size()];
        long[] n = new long[bins.size()];
        for (int i = 0; i < bins.size(); i++) {
            p[i] = bins.get(i).getDouble(1);
            o[i] = bins.get(i).getDouble(2);
            n[i] = bins.get(i).getLong(3);
        }
        return new Calibration(p, o, n, brier);
    }

    /** Counts at a threshold: true positives, false positives, true negatives, false negatives. */
    record Confusion(long tp, long fp, long tn, long fn) {
        long rows() {
            return tp + fp + tn + fn;
        }
    }

    static Confusion confusion(Dataset<Row> scores, double threshold) {
        Column predicted = col(PROBABILITY).geq(threshold);
        Column positive = col(LABEL).equalTo(1.0);
        Row r = scores.agg(count(when(predicted.and(positive), 1)), count(when(predicted.and(positive.unary_$bang()), 1)),
                count(when(predicted.unary_$bang().and(positive.unary_$bang()), 1)), count(when(predicted.unary_$bang().and(positive), 1))).head();
        return new Confusion(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3));
    }

    /** One client's holdout: rows, positive rate, exact AUC (NaN with one class only), accuracy at the threshold, Brier. */
    record Client(String client, long rows, double positiveRate, double auc, double accuracy, double brier) {
    }

    static List<Client> perClient(Dataset<Row> scores, double threshold) {
        List<Row> groups = scores.groupBy(CLIENT).agg(count(lit(1)), avg(LABEL), sum(LABEL),
                avg(when(col(PROBABILITY).geq(threshold), 1.0).otherwise(0.0).equalTo(col(LABEL)).cast("double")),
                avg(pow(col(PROBABILITY).minus(col(LABEL)), 2))).orderBy(CLIENT).collectAsList();
        List<Client> out = new ArrayList<>();
        for (Row g : groups) {
            String client = g.isNullAt(0) ? null : g.getString(0);
            long rows = g.getLong(1);
            double positives = g.getDouble(3);
            double auc = positives == 0 || positives == rows ? Double.NaN
                    : BinaryMetrics.compute(scores.where(client == null ? col(CLIENT).isNull() : col(CLIENT).equalTo(client)), LABEL, PROBABILITY, threshold).auc();
            out.add(new Client(client == null ? "(none)" : client, rows, g.getDouble(2), auc, g.getDouble(4), g.getDouble(5)));
        }
        return out;
    }

    /** Share of rows per probability bin of width 1/{@code bins} (for comparing two score distributions). */
    static Map<String, Double> histogram(Dataset<Row> rows, String probabilityColumn, int bins) {
        Column bin = least(floor(col(probabilityColumn).multiply(bins)), lit(bins - 1)).cast("int");
        Map<Integer, Long> counts = new LinkedHashMap<>();
        long total = 0;
        for (Row r : rows.where(col(probabilityColumn).isNotNull()).groupBy(bin.as("bin")).count().collectAsList()) {
            counts.put(r.getInt(0), r.getLong(1));
            total += r.getLong(1);
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (int b = 0; b < bins; b++) {
            shares.put(String.format("%.2f", (double) b / bins), total == 0 ? 0.0 : counts.getOrDefault(b, 0L) / (double) total);
        }
        return shares;
    }

    private static double[] first(List<Tuple2<Object, Object>> points) {
        return points.stream().mapToDouble(t -> (Double) t._1()).toArray();
    }

    private static double[] second(List<Tuple2<Object, Object>> points) {
        return points.stream().mapToDouble(t -> (Double) t._2()).toArray();
    }
}
