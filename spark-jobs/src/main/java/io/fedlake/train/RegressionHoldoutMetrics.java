package io.fedlake.train;

import io.fedlake.zoo.ModelSpec;
import org.apache.spark.mllib.evaluation.RegressionMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.not;

/**
 * Holdout metrics of a regression output on the label's scale, from Spark MLlib's {@link RegressionMetrics} (one pass
 * of its summariser): RMSE, MAE and R² (against the holdout's own mean label). Rows without a finite label are left out,
 * as the translator rejects them in training.
 */
final class RegressionHoldoutMetrics {

    private RegressionHoldoutMetrics() {
    }

    /**
     * @param scored rows with the label column {@code o.column()} and the prediction in column {@code prediction}
     * @return {@code <prefix>rmse}, {@code mae}, {@code r2}; NaN for all three when no row has a label
     */
    static Map<String, Double> compute(Dataset<Row> scored, ModelSpec.Output o, String prediction, String prefix) {
        Dataset<Row> pairs = scored.select(col(prediction).cast("double"), col(o.column()).cast("double"))
                .where(col(prediction).isNotNull().and(col(o.column()).isNotNull()).and(not(isnan(col(o.column()).cast("double")))));
        Map<String, Double> m = new LinkedHashMap<>();
        RegressionMetrics r = new RegressionMetrics(pairs.javaRDD().map(row -> new Tuple2<Object, Object>(row.getDouble(0), row.getDouble(1))).rdd());
        boolean any;
        try {
            any = r.meanSquaredError() >= 0;
        } catch (RuntimeException | AssertionError empty) {
            any = false; // MLlib's summariser asserts on an empty input
        }
        m.put(prefix + "rmse", any ? r.rootMeanSquaredError() : Double.NaN);
        m.put(prefix + "mae", any ? r.meanAbsoluteError() : Double.NaN);
        m.put(prefix + "r2", any ? r.r2() : Double.NaN);
        return m;
    }
}
