package io.fedlake.report;

import io.fedlake.features.drift.DriftReport;
import io.fedlake.features.drift.Psi;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;

/**
 * Population stability of each model feature between the rows a model was fit on and the rows it scored: numeric
 * features over the expected side's deciles (the feature store's {@link DriftReport}), categorical ones over the
 * expected side's {@value #TOP_CATEGORIES} most frequent categories plus "other" and "missing".
 */
final class Drift {

    static final int BINS = 10;
    static final int TOP_CATEGORIES = 20;

    private Drift() {
    }

    record Feature(String feature, double psi, String band, long expectedRows, long actualRows) {
    }

    static List<Feature> compute(Dataset<Row> expected, Dataset<Row> actual, List<String> numeric, List<String> categorical) {
        List<Feature> out = new ArrayList<>();
        for (DriftReport.FeatureDrift d : DriftReport.compute(expected, actual, numeric, BINS)) {
            out.add(new Feature(d.feature(), d.psi(), d.band(), d.expectedRows(), d.actualRows()));
        }
        for (String c : categorical) {
            out.add(categorical(expected, actual, c));
        }
        return out;
    }

    private static Feature categorical(Dataset<Row> expected, Dataset<Row> actual, String column) {
        Map<String, Long> e = counts(expected, column);
        Map<String, Long> a = counts(actual, column);
        List<String> bins = e.entrySet().stream().filter(x -> x.getKey() != null).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(TOP_CATEGORIES).map(Map.Entry::getKey).toList();
        long[] he = histogram(e, bins);
        long[] ha = histogram(a, bins);
        long ne = java.util.Arrays.stream(he).sum();
        long na = java.util.Arrays.stream(ha).sum();
        double psi = ne == 0 || na == 0 ? Double.NaN : Psi.index(he, ha);
        return new Feature(column, psi, Double.isNaN(psi) ? "no data" : Psi.band(psi), ne, na);
    }

    /** Counts per category: bins' categories, then every other category, then missing values. */
    private static long[] histogram(Map<String, Long> counts, List<String> bins) {
        long[] h = new long[bins.size() + 2];
        counts.forEach((category, n) -> {
            int i = category == null ? bins.size() + 1 : bins.indexOf(category);
            h[i < 0 ? bins.size() : i] += n;
        });
        return h;
    }

    private static Map<String, Long> counts(Dataset<Row> rows, String column) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : rows.groupBy(col(column).cast("string").as("c")).count().orderBy(desc("count")).limit(10_000).collectAsList()) {
            out.put(r.isNullAt(0) ? null : r.getString(0), r.getLong(1));
        }
        return out;
    }
}
