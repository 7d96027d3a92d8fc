package io.fedlake.features.drift;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * PSI per numeric feature between an expected population (the training set) and an actual one (a scoring date).
 * Bins are the expected population's deciles (approximate quantiles, relative error 0.1 %; repeated edges merge,
 * so a feature with few distinct values gets fewer bins) plus one bin for missing values, so a rise in nulls shows
 * as drift too. Each side is histogrammed in one aggregation pass for all features.
 */
public final class DriftReport {

    /** One feature's drift. */
    public record FeatureDrift(String feature, double psi, String band, int bins, long expectedRows, long actualRows) {
    }

    public static final StructType DELTA_SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("training_set", DataTypes.StringType, false)
            .add("training_set_version", DataTypes.LongType, false)
            .add("view", DataTypes.StringType, false)
            .add("view_version", DataTypes.LongType, false)
            .add("scoring_date", DataTypes.DateType, false)
            .add("feature", DataTypes.StringType, false)
            .add("psi", DataTypes.DoubleType, false)
            .add("band", DataTypes.StringType, false)
            .add("bins", DataTypes.IntegerType, false)
            .add("expected_rows", DataTypes.LongType, false)
            .add("actual_rows", DataTypes.LongType, false)
            .add("computed_at", DataTypes.TimestampType, false);

    private DriftReport() {
    }

    /** @param quantileBins bins from the expected quantiles (≥ 2; 10 gives deciles) */
    public static List<FeatureDrift> compute(Dataset<Row> expected, Dataset<Row> actual, List<String> features, int quantileBins) {
        if (quantileBins < 2) {
            throw new IllegalArgumentException("quantileBins must be ≥ 2, got " + quantileBins);
        }
        if (features.isEmpty()) {
            return List.of();
        }
        double[] probabilities = new double[quantileBins - 1];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = (i + 1.0) / quantileBins;
        }
        Dataset<Row> e = expected.select(features.stream().map(f -> col(f).cast("double").as(f)).toArray(Column[]::new));
        Dataset<Row> a = actual.select(features.stream().map(f -> col(f).cast("double").as(f)).toArray(Column[]::new));
        double[][] quantiles = e.stat().approxQuantile(features.toArray(String[]::new), probabilities, 0.001);
        double[][] edges = new double[features.size()][];
        for (int i = 0; i < features.size(); i++) {
            edges[i] = Arrays.stream(quantiles[i]).distinct().sorted().toArray();
        }
        long[][] he = histograms(e, features, edges);
        long[][] ha = histograms(a, features, edges);
        List<FeatureDrift> out = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            long ne = Arrays.stream(he[i]).sum();
            long na = Arrays.stream(ha[i]).sum();
            double psi = ne == 0 || na == 0 ? Double.NaN : Psi.index(he[i], ha[i]);
            out.add(new FeatureDrift(features.get(i), psi, Double.isNaN(psi) ? "no data" : Psi.band(psi), he[i].length, ne, na));
        }
        return out;
    }

    /** Bin index of x: number of edges below it (bins (-∞, e₁], (e₁, e₂], …, (eₖ, ∞)); missing values go to bin k + 1. */
    static Column bin(String feature, double[] edgeList) {
        Column x = col(feature);
        Column idx = lit(0);
        for (double edge : edgeList) {
            idx = idx.plus(when(x.gt(edge), 1).otherwise(0));
        }
        return when(x.isNull().or(isnan(x)), lit(edgeList.length + 1)).otherwise(idx);
    }

    private static long[][] histograms(Dataset<Row> rows, List<String> features, double[][] edges) {
        List<Column> aggs = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            Column b = bin(features.get(i), edges[i]);
            for (int k = 0; k <= edges[i].length + 1; k++) {
                aggs.add(sum(when(b.equalTo(k), 1L).otherwise(0L)));
            }
        }
        Row r = rows.agg(count(lit(1)), aggs.toArray(Column[]::new)).head();
        long[][] out = new long[features.size()][];
        int at = 1;
        for (int i = 0; i < features.size(); i++) {
            out[i] = new long[edges[i].length + 2];
            for (int k = 0; k < out[i].length; k++, at++) {
                out[i][k] = r.isNullAt(at) ? 0 : r.getLong(at);
            }
        }
        return out;
    }

    /** Appends a report to the Delta table at {@code path}. */
    public static void append(SparkSession spark, String path, List<FeatureDrift> drift, String runId, String trainingSet,
                              long trainingSetVersion, String view, long viewVersion, LocalDate scoringDate) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (FeatureDrift d : drift) {
            if (Double.isNaN(d.psi())) {
                continue;
            }
            rows.add(RowFactory.create(runId, trainingSet, trainingSetVersion, view, viewVersion, Date.valueOf(scoringDate), d.feature(),
                    d.psi(), d.band(), d.bins(), d.expectedRows(), d.actualRows(), now));
        }
        spark.createDataFrame(rows, DELTA_SCHEMA).write().format("delta").mode("append").option("userMetadata", runId).save(path);
    }
}
