package io.fedlake.score;

import io.fedlake.core.UserError;
import io.fedlake.features.stats.FeatureStatistics;
import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.testing.LocalSparkTest;
import io.fedlake.train.PreprocessorFit;
import io.fedlake.translate.DataSpec;
import io.fedlake.translate.RowTranslator;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.Architectures;
import io.fedlake.zoo.ModelHyperParams;
import io.fedlake.zoo.artifact.NetworkBytes;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoringJobTest extends LocalSparkTest {

    private static final LocalDate D1 = LocalDate.of(2026, 11, 20);
    private static final LocalDate D2 = LocalDate.of(2026, 11, 21);
    private static Lake lake;
    private static ModelFiles.ModelVersion saved;

    @BeforeAll
    static void tableAndModel() {
        lake = new Lake(spark, tmp.resolve("lake-score").toString());
        Dataset<Row> good = SyntheticData.rows(spark, Domain.CREDIT, 200, 2, 1);
        Dataset<Row> nan = good.limit(1).withColumn("application_id", lit("BAD-NAN")).withColumn("debt_to_income", expr("CAST('NaN' AS DOUBLE)"));
        Dataset<Row> missing = good.limit(1).withColumn("application_id", lit("BAD-NULL")).withColumn("age", lit(null).cast("int"));
        good.unionByName(nan).unionByName(missing).write().format("delta").save(lake.pathOf("raw.credit"));

        DataSpec spec = Domain.CREDIT.dataSpec();
        TabularPreprocessor tabular = PreprocessorFit.fit(FeatureStatistics.compute(good, spec.numeric(), spec.categorical(), 20),
                spec.numeric(), spec.categorical());
        Preprocessing pre = new Preprocessing(tabular, null, spec.outputs());
        ComputationGraph net = Architectures.byName("credit-mlp").build(pre.modelSpec(), ModelHyperParams.creditDefaults(3));
        saved = new ModelRegistry(lake).register("credit-mlp", "run-t", NetworkBytes.toBytes(net, false), pre, Map.of("training_run_id", "run-t"));
    }

    private ScoringJob.Outcome score(LocalDate date, Dataset<Row> rows, String runId) {
        Lake.Snapshot input = lake.readLatest("raw.credit", "test");
        return ScoringJob.run(lake, new ScoringJob.Request("credit", input, rows == null ? input.data() : rows, "application_id", "branch_id",
                new ModelRegistry(lake).load("credit-mlp"), date, runId, 64, 0.2,
                ScoringPresets.decisions(Domain.CREDIT), 4, ScoringPresets.featureLabels(Domain.CREDIT)));
    }

    private long rowsFor(String table, LocalDate date) {
        return spark.read().format("delta").load(lake.pathOf(table)).where(col("logical_date").equalTo(lit(java.sql.Date.valueOf(date)))).count();
    }

    @Test
    void badRowsAreQuarantinedWithTheirReasonAndCountsReconcile() {
        ScoringJob.Outcome o = score(D1, null, "job-1");

        assertEquals(202, o.input());
        assertEquals(200, o.scored());
        assertEquals(2, o.quarantined());
        Map<String, String> reasons = new java.util.HashMap<>();
        spark.read().format("delta").load(lake.pathOf("quarantine.credit")).where("logical_date = DATE'2026-11-20'")
                .collectAsList().forEach(r -> reasons.put(r.getAs("entity_id"), r.getAs("reason")));
        assertEquals(Map.of("BAD-NAN", "non-finite value NaN in column debt_to_income", "BAD-NULL", "missing value in column age"), reasons);
        String record = spark.read().format("delta").load(lake.pathOf("quarantine.credit")).where("entity_id = 'BAD-NULL'").head().getAs("record_json");
        assertTrue(record.contains("\"application_id\":\"BAD-NULL\"") && record.contains("\"age\":null"), record);
    }

    @Test
    void rerunningADateLeavesExactlyOneCopyAndOtherDatesAreKept() {
        score(D1, null, "job-a");
        score(D2, lake.readLatest("raw.credit", "test").data().limit(50), "job-b");
        score(D1, null, "job-c");

        assertEquals(200, rowsFor("scores.credit", D1));
        assertEquals(2, rowsFor("quarantine.credit", D1));
        assertEquals(50, rowsFor("scores.credit", D2));
        List<Row> runs = spark.read().format("delta").load(lake.pathOf("scores.credit")).where("logical_date = DATE'2026-11-20'")
                .select("job_run_id").distinct().collectAsList();
        assertEquals(List.of("job-c"), runs.stream().map(r -> r.getString(0)).toList());
    }

    @Test
    void everyScoreRowCarriesProvenanceAndMatchesADirectForwardPass() {
        score(D1, null, "job-p");
        Dataset<Row> scores = spark.read().format("delta").load(lake.pathOf("scores.credit")).where("logical_date = DATE'2026-11-20'");
        Row any = scores.head();
        assertEquals(saved.sha256(), any.getAs("model_sha256"));
        assertEquals("1", any.getAs("model_version"));
        assertEquals("run-t", any.getAs("training_run_id"));
        assertEquals(0L, (long) any.getAs("input_version"));
        assertEquals(0, scores.where("scored_at IS NULL OR client_id IS NULL OR probability IS NULL").count());

        ModelFiles.LoadedModel m = new ModelRegistry(lake).load("credit-mlp:1");
        Dataset<Row> raw = lake.readLatest("raw.credit", "t").data();
        RowTranslator t = new RowTranslator(m.preprocessing(), raw.schema(), false, "raw.credit");
        ComputationGraph net = NetworkBytes.fromBytes(m.networkBytes());
        for (Row r : raw.where("application_id LIKE 'APP-%'").limit(5).collectAsList()) {
            RowTranslator.Batch one = t.newBatch(1);
            assertEquals(null, one.add(r));
            double direct = net.output(one.features())[0].getDouble(0);
            double stored = scores.where(col("application_id").equalTo(r.getAs("application_id"))).head().getAs("probability");
            assertEquals(direct, stored, 1e-6);
        }
    }

    @Test
    void anInputWithoutTheModelsColumnsIsRefusedBeforeAnySparkWork() {
        Dataset<Row> noIncome = lake.readLatest("raw.credit", "t").data().drop("annual_income");
        UserError e = assertThrows(UserError.class, () -> score(D2, noIncome, "job-x"));
        assertTrue(e.getMessage().startsWith("table raw.credit lacks column(s) annual_income"), e.getMessage());
    }

    @Test
    void reasonCodesNameTheFeaturesThatRaisedTheProbability() {
        DataSpec spec = Domain.CREDIT.dataSpec();
        ModelFiles.LoadedModel base = new ModelRegistry(lake).load("credit-mlp");
        ComputationGraph net = Architectures.byName("logreg").build(base.preprocessing().modelSpec(), ModelHyperParams.creditDefaults(1));
        net.params().assign(0);
        INDArray w = net.getParam("p_default_W").dup();
        w.putScalar(spec.numeric().indexOf("debt_to_income"), 0, 2.0); // only debt-to-income moves the score, upwards
        net.setParam("p_default_W", w);
        new ModelRegistry(lake).register("why", "run-why", NetworkBytes.toBytes(net, false), base.preprocessing(), Map.of("training_run_id", "run-why"));
        Lake.Snapshot input = lake.readLatest("raw.credit", "test");

        ScoringJob.run(lake, new ScoringJob.Request("why", input, input.data(), "application_id", "branch_id", new ModelRegistry(lake).load("why"),
                D1, "job-why", 64, 0.2, ScoringPresets.decisions(Domain.CREDIT), 4, ScoringPresets.featureLabels(Domain.CREDIT), Map.of(),
                ScoringJob.ReasonCodesFor.ALL));

        double mean = base.preprocessing().tabular().numeric().get(spec.numeric().indexOf("debt_to_income")).mean();
        Dataset<Row> scored = spark.read().format("delta").load(lake.pathOf("scores.why")).join(input.data(), "application_id");
        assertEquals(200, scored.count());
        for (Row r : scored.collectAsList()) {
            List<String> codes = r.getList(r.fieldIndex("reason_codes"));
            double dti = r.getAs("debt_to_income");
            assertEquals(dti > mean + 1e-6 ? List.of("Debt-to-income ratio") : List.of(), codes, "dti " + dti + " vs mean " + mean);
        }

        // by default only the declines get codes (an adverse-action notice is owed for them), the same ones as above
        ScoringJob.run(lake, new ScoringJob.Request("why_adverse", input, input.data(), "application_id", "branch_id", new ModelRegistry(lake).load("why"),
                D1, "job-why-adverse", 64, 0.2, ScoringPresets.decisions(Domain.CREDIT), 4, ScoringPresets.featureLabels(Domain.CREDIT)));
        Dataset<Row> all = spark.read().format("delta").load(lake.pathOf("scores.why")).selectExpr("application_id", "reason_codes AS all_codes",
                "reason_codes_for AS all_for");
        List<Row> both = spark.read().format("delta").load(lake.pathOf("scores.why_adverse")).join(all, "application_id").collectAsList();
        assertEquals(200, both.size());
        long declines = 0;
        for (Row r : both) {
            boolean decline = "decline".equals(r.getAs("decision"));
            declines += decline ? 1 : 0;
            assertEquals(decline ? r.getList(r.fieldIndex("all_codes")) : null, r.isNullAt(r.fieldIndex("reason_codes")) ? null : r.getList(r.fieldIndex("reason_codes")),
                    r.getAs("application_id") + " p = " + r.getAs("probability"));
            assertEquals(List.of("adverse", "all"), List.of(r.<String>getAs("reason_codes_for"), r.<String>getAs("all_for")));
        }
        assertTrue(declines > 10 && declines < 190, "both decisions among the rows: " + declines + " declines");
    }

    @Test
    void ingestionsQuarantineRowsOnTheSameDateAreNeitherCountedNorReplacedByScoring() {
        LocalDate d = LocalDate.of(2026, 11, 23);
        String q = lake.pathOf("quarantine.credit");
        assertEquals(2, score(d, null, "job-q1").quarantined());
        // What ingestion appends for a bad record it read on that day: same table, same date, stage "ingest".
        spark.read().format("delta").load(q).where("logical_date = DATE'2026-11-23'").limit(1)
                .withColumn("entity_id", lit("ING-1")).withColumn("stage", lit("ingest")).withColumn("job_run_id", lit("ingest-run"))
                .write().format("delta").mode("append").save(q);

        assertEquals(2, score(d, null, "job-q2").quarantined());
        Dataset<Row> good = lake.readLatest("raw.credit", "test").data().where("application_id LIKE 'APP-%'");
        ScoringJob.Outcome clean = score(d, good, "job-q3");

        assertEquals(0, clean.quarantined());
        assertEquals(200, clean.scored());
        List<String> left = spark.read().format("delta").load(q).where("logical_date = DATE'2026-11-23'").collectAsList().stream()
                .map(r -> r.getAs("entity_id") + "/" + r.getAs("stage")).toList();
        assertEquals(List.of("ING-1/ingest"), left, "the scoring runs' rows are replaced, ingestion's row stays");
    }

    @Test
    void aDateWhoseEveryRowIsBadScoresNothingAndQuarantinesAll() {
        LocalDate d = LocalDate.of(2026, 11, 24);
        Dataset<Row> bad = lake.readLatest("raw.credit", "test").data().where("application_id LIKE 'BAD-%'");
        score(d, null, "job-all-1"); // the date first holds 200 scores, which the next run must replace by none

        ScoringJob.Outcome o = score(d, bad, "job-all-2");

        assertEquals(2, o.input());
        assertEquals(0, o.scored());
        assertEquals(2, o.quarantined());
        assertEquals(0, rowsFor("scores.credit", d));
        assertEquals(2, rowsFor("quarantine.credit", d));
    }

    @Test
    void theWrittenRowsAreCountedFromTheRunsOwnCommitUntilAnotherWriterTouchesTheDate() {
        LocalDate d = LocalDate.of(2026, 11, 22);
        String path = lake.pathOf("scores.credit");
        assertEquals(200, score(d, null, "job-count").scored());

        PartitionRows.Count own = PartitionRows.of(spark, path, d.toString(), "job-count");
        assertEquals(200, own.rows());
        assertEquals(own.version(), own.fromCommit(), "the run's replaceWhere commit is the newest one touching the date");

        // Another writer appends to the same date: the run's commit no longer describes it, and the table state is read.
        spark.read().format("delta").load(path).where(col("logical_date").equalTo(lit(java.sql.Date.valueOf(d)))).limit(3)
                .write().format("delta").mode("append").option("userMetadata", "someone-else").save(path);
        PartitionRows.Count after = PartitionRows.of(spark, path, d.toString(), "job-count");
        assertEquals(203, after.rows());
        assertEquals(-1, after.fromCommit());
        assertEquals(203, rowsFor("scores.credit", d));
        // A date the run never wrote is not taken from any of its commits.
        assertEquals(new PartitionRows.Count(0, after.version(), -1), PartitionRows.of(spark, path, "2030-01-01", "job-count"));
    }

    @Test
    void scorersWritingDifferentDatesConcurrentlyBothCommit() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            LocalDate d3 = LocalDate.of(2026, 12, 1);
            LocalDate d4 = LocalDate.of(2026, 12, 2);
            var a = pool.submit(() -> score(d3, null, "job-d3"));
            var b = pool.submit(() -> score(d4, null, "job-d4"));
            assertEquals(200, a.get().scored());
            assertEquals(200, b.get().scored());
            assertEquals(200, rowsFor("scores.credit", d3));
            assertEquals(200, rowsFor("scores.credit", d4));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aScoredDateReconcilesFromTheTablesIsPublishedOnceAndADuplicateIsCaught() {
        LocalDate d = LocalDate.of(2026, 12, 5);
        score(d, null, "job-ledger");

        ScoreLedger.Reconciliation r = ScoreLedger.reconcile(lake, Domain.CREDIT, d, null, true);
        assertTrue(r.reconciles(), r.problem());
        assertEquals(List.of(202L, 200L, 2L), List.of(r.input(), r.scored(), r.quarantined()));
        assertEquals("job-ledger", r.scoringRunId());
        assertEquals("raw.credit", r.inputTable());
        ScoreLedger.publish(lake, r, "pub-1");
        ScoreLedger.publish(lake, r, "pub-2");
        List<Row> marks = spark.read().format("delta").load(lake.pathOf(ScoreLedger.PUBLISHED_TABLE))
                .where(col("domain").equalTo("credit").and(col("logical_date").equalTo(lit(java.sql.Date.valueOf(d))))).collectAsList();
        assertEquals(1, marks.size(), "a rerun of publish replaces the date's mark");
        assertEquals("pub-2", marks.get(0).getAs("publish_run_id"));
        assertEquals(200L, (long) marks.get(0).getAs("rows_scored"));

        // Only the date's own input rows (none of the generated rows fall on it): the tables hold more than that input.
        ScoreLedger.Reconciliation dateOnly = ScoreLedger.reconcile(lake, Domain.CREDIT, d, null, false);
        assertTrue(dateOnly.problem().contains("does not reconcile: raw.credit v0 has 0 input row(s) for the date, the tables hold 200 scored + 2 quarantined"),
                dateOnly.problem());

        spark.read().format("delta").load(lake.pathOf("scores.credit")).where(col("logical_date").equalTo(lit(java.sql.Date.valueOf(d)))).limit(1)
                .write().format("delta").mode("append").save(lake.pathOf("scores.credit"));
        ScoreLedger.Reconciliation duplicated = ScoreLedger.reconcile(lake, Domain.CREDIT, d, null, true);
        assertEquals("scores.credit for 2026-12-05 has 1 duplicate application_id value(s) among 201 score rows", duplicated.problem());
        UserError refused = assertThrows(UserError.class, () -> ScoreLedger.publish(lake, duplicated, "pub-3"));
        assertTrue(refused.getMessage().startsWith("not published: scores.credit for 2026-12-05 has 1 duplicate"), refused.getMessage());

        ScoreLedger.Reconciliation never = ScoreLedger.reconcile(lake, Domain.CREDIT, LocalDate.of(2031, 1, 1), null, true);
        assertEquals("scores.credit for 2031-01-01 has no rows but raw.credit v0 has 202 for the date: it was not scored", never.problem());
        assertTrue(ScoreLedger.reconcile(lake, Domain.CREDIT, LocalDate.of(2031, 1, 1), null, false).reconciles(), "no input row, no score row");
    }
}
