package io.fedlake.eval;

import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.when;

/**
 * Held-out metrics of a binary classifier, computed on the executors: exact ROC AUC (MLlib's sort-based
 * computation, no binning), accuracy at a threshold, and log loss with probabilities clipped to [1e-7, 1 − 1e-7].
 */
public record BinaryMetrics(long rows, double positiveRate, double auc, double accuracy, double logLoss, double threshold) {

    private static final double EPS = 1e-7;

    /**
     * @param scored rows with a 0/1 numeric {@code labelColumn} and a probability column; rows with a null
     *               probability are not counted (they were quarantined)
     */
    public static BinaryMetrics compute(Dataset<Row> scored, String labelColumn, String probabilityColumn, double threshold) {
        Dataset<Row> d = scored.where(col(probabilityColumn).isNotNull())
                .select(col(probabilityColumn).cast("double").as("p"), col(labelColumn).cast("double").as("y"));
        Row agg = d.agg(count(lit(1)), avg("y"),
                avg(when(col("p").geq(threshold), 1.0).otherwise(0.0).equalTo(col("y")).cast("double")),
                avg(col("y").multiply(log(greatest(col("p"), lit(EPS))))
                        .plus(lit(1.0).minus(col("y")).multiply(log(greatest(lit(1.0).minus(col("p")), lit(EPS)))))
                        .multiply(-1.0))).head();
        long n = agg.getLong(0);
        if (n == 0) {
            throw new IllegalArgumentException("no scored rows to evaluate");
        }
        double auc = new BinaryClassificationMetrics(
                d.javaRDD().map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1))).rdd(), 0)
                .areaUnderROC();
        return new BinaryMetrics(n, agg.getDouble(1), auc, agg.getDouble(2), agg.getDouble(3), threshold);
    }

    @Override
    public String toString() {
        return String.format("AUC %.4f  accuracy %.4f  log loss %.4f  (%,d rows, %.1f %% positive)", auc, accuracy, logLoss, rows,
                100 * positiveRate);
    }
}
