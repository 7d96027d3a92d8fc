package io.fedlake.report;

import io.fedlake.features.drift.Psi;
import io.fedlake.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

/** Sections both reports share: score distributions of scored dates, and feature drift of a date's input against training. */
final class ScoreSections {

    static final int HISTOGRAM_BINS = 20;
    /** Below this many rows a date's PSI says more about sampling than about drift. */
    static final long SMALL_SAMPLE = 1_000;

    private ScoreSections() {
    }

    /** Two series in this order (a chart's legend follows it). */
    static Map<String, Map<String, Double>> series(String a, Map<String, Double> va, String b, Map<String, Double> vb) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        out.put(a, va);
        out.put(b, vb);
        return out;
    }

    /** Heatmaps shown per report: a grid a reviewer can take in at a glance. */
    static final int EXPLANATIONS_SHOWN = 12;

    /**
     * The image explanations of one scored date (the latest with any, when {@code date} is null) for the model version,
     * highest-scored first. Heatmaps from a scoring run other than the one whose scores the date now holds are shown
     * with a warning: the date was scored again without {@code --explain-images}.
     */
    static void explanations(Lake lake, Html html, String domain, String modelName, String modelVersion, String date) {
        String table = "explanations." + domain;
        html.subsection("Image explanations");
        if (!lake.exists(table)) {
            html.note("No " + table + " table: score with --explain-images N to explain the N highest-scored images.");
            return;
        }
        Dataset<Row> all = lake.spark().read().format("delta").load(lake.pathOf(table))
                .where(col("model_name").equalTo(modelName).and(col("model_version").cast("string").equalTo(modelVersion)));
        String day = date;
        if (day == null) {
            List<Row> latest = all.select(col("logical_date").cast("string")).distinct().orderBy(col("logical_date").desc()).limit(1).collectAsList();
            day = latest.isEmpty() ? null : latest.get(0).getString(0);
        }
        List<Row> rows = day == null ? List.of() : all.where(col("logical_date").cast("string").equalTo(day)).orderBy("rank")
                .limit(EXPLANATIONS_SHOWN).collectAsList();
        if (rows.isEmpty()) {
            html.note(modelName + ":" + modelVersion + " has no explanations" + (date == null ? "" : " for " + date)
                    + " in " + table + ": score with --explain-images N.");
            return;
        }
        String run = rows.get(0).getAs("job_run_id");
        List<Row> scoredBy = lake.spark().read().format("delta").load(lake.pathOf("scores." + domain))
                .where(col("logical_date").cast("string").equalTo(day)).select("job_run_id").distinct().collectAsList();
        if (scoredBy.stream().noneMatch(r -> run.equals(r.getString(0)))) {
            html.warning("These explanations come from scoring run " + run + ", but " + day + " was scored again since (run "
                    + String.join(", ", scoredBy.stream().map(r -> r.getString(0)).toList()) + ") without --explain-images.");
        }
        html.note(String.format("The %d highest-scored images of %s (run %s): %s (%s). Left, the image as the network saw it; right, the "
                        + "pixels that raised the score, red to yellow. Attributions sum to the logit's change from the blurred image "
                        + "(mean completeness gap %.3f).", rows.size(), day, run, rows.get(0).getAs("method"), rows.get(0).getAs("baseline"),
                rows.stream().mapToDouble(r -> Math.abs(r.<Double>getAs("completeness_gap"))).average().orElse(0)));
        for (Row r : rows) {
            html.figure(r.getAs("heatmap_png"), "explanation heatmap", String.format("#%d %s (%s) p = %.3f", r.<Integer>getAs("rank"),
                    r.getAs("entity_id"), r.getAs("client_id"), r.<Double>getAs("probability")));
        }
    }

    /** Box plot of the probability per logical date (exact minimum and maximum, approximate quartiles). */
    static void distributionOverTime(Html html, Dataset<Row> scores, List<String> dates) {
        if (!List.of(scores.columns()).contains("probability")) {
            return;
        }
        Map<String, Charts.Box> boxes = new LinkedHashMap<>();
        List<Row> rows = scores.where(col("logical_date").cast("string").isin(dates.toArray()))
                .groupBy(col("logical_date").cast("string").as("d"))
                .agg(expr("min(probability)"), expr("percentile_approx(probability, array(0.25, 0.5, 0.75), 10000)"), expr("max(probability)"),
                        avg("probability"), expr("count(1)"))
                .orderBy("d").collectAsList();
        List<List<String>> table = new ArrayList<>();
        for (Row r : rows) {
            List<Double> q = r.getList(2);
            boxes.put(r.getString(0), new Charts.Box(r.getDouble(1), q.get(0), q.get(1), q.get(2), r.getDouble(3), r.getDouble(4)));
            table.add(List.of(r.getString(0), ModelReport.count(r.getLong(5)), ModelReport.number(r.getDouble(4)), ModelReport.number(q.get(1))));
        }
        html.subsection("Score distribution per logical date");
        html.figure(Charts.boxes("Probability per logical date", "logical date", "probability", boxes), "score distribution over time",
                "Box: quartiles; whiskers: minimum and maximum; dot: mean.");
        html.table(List.of("logical date", "rows scored", "mean probability", "median"), table);
    }

    /** PSI per feature for each date: the date's scored input rows against the rows the model was fit on. */
    static void driftOverDates(Lake lake, Html html, Dataset<Row> scores, HoldoutScores h, Map<String, Object> meta, List<String> dates) {
        List<String> numeric = strings(meta.get("numeric_features"));
        List<String> categorical = strings(meta.get("categorical_features"));
        html.subsection("Feature drift (PSI) against the training rows");
        if (numeric.isEmpty() && categorical.isEmpty()) {
            html.note("The model has no tabular features to compare.");
            return;
        }
        Map<String, Map<String, Double>> byDate = new LinkedHashMap<>();
        Map<String, String> band = new LinkedHashMap<>();
        for (String date : dates) {
            Dataset<Row> actual = scoredInput(lake, scores, h.entityKey(), date);
            if (actual == null) {
                html.note("The input of " + date + " is no longer readable at its recorded version.");
                continue;
            }
            long rows = actual.count();
            if (rows < SMALL_SAMPLE) {
                html.note(String.format("%s: only %,d scored rows; PSI over deciles of so few rows is dominated by sampling noise (expect values above 0.1 with no drift at all).",
                        date, rows));
            }
            Map<String, Double> psi = new LinkedHashMap<>();
            for (Drift.Feature f : Drift.compute(h.trainRows(), actual, numeric, categorical)) {
                psi.put(f.feature(), f.psi());
                band.merge(f.feature(), f.band(), (a, b) -> b);
            }
            byDate.put(date, psi);
        }
        if (byDate.isEmpty()) {
            return;
        }
        String latest = new ArrayList<>(byDate.keySet()).get(byDate.size() - 1);
        html.figure(Charts.bars("PSI per feature, " + latest, "feature", "PSI", Map.of("PSI", byDate.get(latest)), true,
                List.of(Psi.MODERATE, Psi.SIGNIFICANT)), "feature drift", String.format("Bands: below %.2f stable, to %.2f moderate, above significant.",
                Psi.MODERATE, Psi.SIGNIFICANT));
        List<String> headers = new ArrayList<>(List.of("feature"));
        headers.addAll(byDate.keySet());
        headers.add("band (" + latest + ")");
        List<List<String>> rows = new ArrayList<>();
        for (String feature : byDate.get(latest).keySet()) {
            List<String> row = new ArrayList<>(List.of(feature));
            byDate.values().forEach(p -> row.add(ModelReport.number(p.getOrDefault(feature, Double.NaN))));
            row.add(band.get(feature));
            rows.add(row);
        }
        html.table(headers, rows);
    }

    /** The input rows a date's scores came from: the input table at the recorded version, restricted to the scored keys. */
    static Dataset<Row> scoredInput(Lake lake, Dataset<Row> scores, String key, String date) {
        Dataset<Row> day = scores.where(col("logical_date").cast("string").equalTo(date));
        List<Row> inputs = day.select("input_table", "input_version").distinct().collectAsList();
        if (inputs.isEmpty()) {
            return null;
        }
        Dataset<Row> union = null;
        for (Row in : inputs) {
            Dataset<Row> input;
            try {
                input = lake.readAt(in.getString(0), in.getLong(1)).data();
            } catch (io.fedlake.core.UserError gone) {
                return null;
            }
            Dataset<Row> keys = day.where(col("input_table").equalTo(in.getString(0)).and(col("input_version").equalTo(in.getLong(1))))
                    .select(col(key).cast("string").as("__key"));
            Dataset<Row> rows = input.join(keys, input.col(key).cast("string").equalTo(keys.col("__key")), "left_semi");
            union = union == null ? rows : union.unionByName(rows);
        }
        return union;
    }

    static List<String> strings(Object list) {
        return list instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }
}
