package io.fedlake.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.lake.SparkSessions;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.train.PreprocessorFit;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A score table written by the scorer, with the CLI's Spark session settings, is readable by a non-JVM Delta
 * reader: delta-rs (the {@code deltalake} Python package, installed once by {@code tests/bin/deltars-venv.sh})
 * sees the same rows, columns and values as Spark, and the protocol needs no reader feature (no deletion vectors,
 * no column mapping) that other engines may lack.
 */
class DeltaRsReadIT {

    @TempDir
    static Path tmp;

    @Test
    void scoresWrittenBySparkReadTheSameWithDeltaRs() throws Exception {
        String python = install();
        SparkSession spark = SparkSessions.create("deltars-it", "local[2]", Map.of("spark.ui.enabled", "false"));
        try {
            Lake lake = new Lake(spark, tmp.resolve("lake").toString());
            Dataset<Row> good = SyntheticData.rows(spark, Domain.CREDIT, 3_000, 2, 7);
            good.unionByName(good.limit(1).withColumn("application_id", lit("BAD-NAN")).withColumn("debt_to_income", expr("CAST('NaN' AS DOUBLE)")))
                    .write().format("delta").save(lake.pathOf("raw.credit"));
            DataSpec spec = Domain.CREDIT.dataSpec();
            TabularPreprocessor tabular = PreprocessorFit.fit(FeatureStatistics.compute(good, spec.numeric(), spec.categorical(), 20),
                    spec.numeric(), spec.categorical());
            Preprocessing pre = new Preprocessing(tabular, null, spec.outputs());
            new ModelRegistry(lake).register("credit-mlp", "run-it", NetworkBytes.toBytes(
                    Architectures.byName("credit-mlp").build(pre.modelSpec(), ModelHyperParams.creditDefaults(3)), false), pre, Map.of("training_run_id", "run-it"));
            Lake.Snapshot input = lake.readLatest("raw.credit", "it");
            // Two dates, the first scored twice: delta-rs has to replay a replaceWhere's remove actions too.
            for (LocalDate date : List.of(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 21), LocalDate.of(2026, 11, 20))) {
                ScoringJob.run(lake, new ScoringJob.Request("credit", input, input.data(), "application_id", "branch_id",
                        new ModelRegistry(lake).load("credit-mlp"), date, "it-" + date, 4096, 0.2, ScoringPresets.decisions(Domain.CREDIT), 4,
                        ScoringPresets.featureLabels(Domain.CREDIT)));
            }

            String path = lake.pathOf("scores.credit");
            Dataset<Row> scores = spark.read().format("delta").load(path);
            // declines carry reason codes, approvals none (null): both kinds are compared
            List<String> keys = new ArrayList<>();
            for (String decision : List.of("decline", "approve")) {
                scores.where("decision = '" + decision + "'").orderBy("application_id").select("application_id").limit(2).collectAsList()
                        .forEach(r -> keys.add(r.getString(0)));
            }
            assertEquals(4, keys.size(), "two declines and two approvals among the scored rows");
            List<String> cmd = new ArrayList<>(List.of(python, SparkSubmit.ROOT.resolve("tests/bin/read_delta.py").toString(), path.replaceFirst("^file:", ""), "application_id"));
            cmd.addAll(keys);
            JsonNode rs = new ObjectMapper().readTree(run(cmd));

            assertEquals(scores.count(), rs.get("rows").asLong());
            assertEquals(6_000, rs.get("rows").asLong());
            assertEquals(3_000, rs.get("rows_per_date").get("2026-11-20").asLong());
            assertEquals(3_000, rs.get("rows_per_date").get("2026-11-21").asLong());
            assertEquals(List.of(scores.columns()), names(rs.get("columns")));
            assertEquals(scores.agg(expr("sum(probability)")).head().getDouble(0), rs.get("probability_sum").asDouble(), 1e-6);
            for (String key : keys) {
                Row s = scores.where("logical_date = DATE'2026-11-20' AND application_id = '" + key + "'").head();
                JsonNode d = rs.get("picked").get(key);
                assertEquals((double) s.getAs("probability"), d.get("probability").asDouble(), 1e-12, key);
                assertEquals(s.getAs("decision"), d.get("decision").asText());
                assertEquals(s.getAs("model_sha256"), d.get("model_sha256").asText());
                int codes = s.fieldIndex("reason_codes");
                assertEquals(s.isNullAt(codes) ? null : s.getList(codes), d.get("reason_codes").isNull() ? null : names(d.get("reason_codes")), key);
                assertEquals("decline".equals(s.getAs("decision")), !s.isNullAt(codes), key + ": reason codes for the declines only");
                assertEquals(s.getAs("reason_codes_for"), d.get("reason_codes_for").asText());
            }

            // What other engines need to support: the protocol and table features Spark reports.
            Row detail = spark.sql("DESCRIBE DETAIL delta.`" + path + "`").head();
            assertEquals(detail.<Integer>getAs("minReaderVersion"), rs.get("min_reader_version").asInt());
            assertEquals(detail.<Integer>getAs("minWriterVersion"), rs.get("min_writer_version").asInt());
            assertEquals(1, rs.get("min_reader_version").asInt(), "score tables need no reader feature: " + rs);
            String features = String.valueOf(detail.getList(detail.fieldIndex("tableFeatures")));
            assertFalse(features.contains("deletionVectors") || features.contains("columnMapping"), features);
            assertTrue(rs.get("configuration").get("delta.enableDeletionVectors") == null
                    || rs.get("configuration").get("delta.enableDeletionVectors").asText().equals("false"), rs.toString());
            assertTrue(rs.get("configuration").get("delta.columnMapping.mode") == null, rs.toString());
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String install() throws IOException, InterruptedException {
        return run(List.of("bash", SparkSubmit.ROOT.resolve("tests/bin/deltars-venv.sh").toString())).trim();
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }
}
