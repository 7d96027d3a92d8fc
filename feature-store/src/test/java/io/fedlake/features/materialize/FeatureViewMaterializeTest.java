package io.fedlake.features.materialize;

import io.delta.tables.DeltaTable;
import io.fedlake.features.definition.DefinitionLoader;
import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.transform.FeatureTransform;
import io.fedlake.features.definition.FeatureViews;
import io.fedlake.features.store.FeatureStore;
import io.fedlake.features.store.TrainingSet;
import io.fedlake.features.store.TrainingSetBuilder;
import io.fedlake.features.store.TrainingSets;
import io.fedlake.features.validation.FeatureValidationException;
import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureViewMaterializeTest extends LocalSparkTest {

    private static final String VIEW = """
            name: apps_history
            version: 1
            description: applicant history (test)
            owner: tests
            entity: applicant
            join_keys: [applicant_id]
            source: raw.apps
            event_timestamp: application_ts
            ttl: 60d
            features:
              - name: apps_30d
                expr: count(*)
                window: 30d
                type: bigint
                validation: {min: 1, action: fail}
              - name: amount_sum_30d
                expr: sum(loan_amount)
                window: 30d
              - name: dti
                expr: debt_to_income
                validation: {min: 0, max: 5, action: ACTION}
            """;
    private static final LocalDate JAN1 = LocalDate.of(2024, 1, 1);
    private static final LocalDate JAN31 = LocalDate.of(2024, 1, 31);
    private static final LocalDate FEB1 = LocalDate.of(2024, 2, 1);
    private static final LocalDate FEB29 = LocalDate.of(2024, 2, 29);

    private FeatureStore store;
    private FeatureViewDefinition view;
    private List<Row> events;
    private static int lake;

    @BeforeEach
    void freshLake() {
        lake++;
        view = DefinitionLoader.parse("apps_history.yaml", VIEW.replace("ACTION", "quarantine"));
        store = FeatureStore.atRoot(spark, tmp.resolve("lake" + lake).toUri().toString(), new FeatureViews(List.of(view), "test"));
        events = ApplicationEvents.generate(11, 25);
        writeSource(events);
    }

    private void writeSource(List<Row> rows) {
        spark.createDataFrame(rows, ApplicationEvents.SCHEMA).write().format("delta").mode("overwrite").save(store.pathOf("raw.apps"));
    }

    private Materializer.Result materialize(FeatureViewDefinition d, LocalDate from, LocalDate to, String run) {
        FeatureStore.Snapshot src = store.read("raw.apps", null);
        return Materializer.materialize(store, d, src.data(), src.version(), from, to, run);
    }

    private long sourceRowsBetween(LocalDate from, LocalDate to) {
        ZoneId zone = ZoneId.of(spark.conf().get("spark.sql.session.timeZone"));
        return events.stream().map(r -> ((Timestamp) r.get(2)).toInstant().atZone(zone).toLocalDate())
                .filter(d -> !d.isBefore(from) && !d.isAfter(to)).count();
    }

    @Test
    void materialisingTheSameRangeTwiceLeavesOneCopyAndOtherRangesAlone() {
        Materializer.Result first = materialize(view, JAN1, JAN31, "run-1");
        Materializer.Result second = materialize(view, JAN1, JAN31, "run-2");
        long jan = sourceRowsBetween(JAN1, JAN31);

        assertTrue(jan > 10, "the generator spreads applications over the quarter: " + jan);
        assertEquals(jan, first.rowsWritten());
        assertEquals(0, first.version());
        assertEquals(1, second.version());
        Dataset<Row> table = store.read(view.table(), null).data();
        assertEquals(jan, table.count());
        assertEquals(jan, table.select("applicant_id", "event_ts").distinct().count(), "no duplicate rows after a rerun");

        materialize(view, FEB1, FEB29, "run-3");
        Dataset<Row> after = store.read(view.table(), null).data();
        assertEquals(jan, after.where(FeatureTransform.rangePredicate(JAN1, JAN31)).count());
        assertEquals(jan + sourceRowsBetween(FEB1, FEB29), after.count());
        String meta = DeltaTable.forPath(spark, store.pathOf(view.table())).history(1).head().getAs("userMetadata");
        assertTrue(meta.contains("\"run_id\":\"run-3\"") && meta.contains("\"source\":\"raw.apps\"") && meta.contains("\"source_version\":0")
                && meta.contains("\"from\":\"2024-02-01\""), meta);
    }

    @Test
    void windowsCountTheEntitysEarlierRowsIncludingThoseBeforeTheRange() {
        materialize(view, FEB1, FEB29, "run-1");
        List<Row> rows = store.read(view.table(), null).data().collectAsList();

        assertFalse(rows.isEmpty());
        int reachedBack = 0;
        for (Row f : rows) {
            Timestamp t = f.getAs("event_ts");
            List<Row> window = events.stream().filter(e -> e.get(1).equals(f.getAs("applicant_id")))
                    .filter(e -> {
                        Timestamp et = (Timestamp) e.get(2);
                        return !et.after(t) && !et.toInstant().isBefore(t.toInstant().minus(Duration.ofDays(30)));
                    }).toList();
            assertEquals(window.size(), f.<Long>getAs("apps_30d"), "applicant " + f.getAs("applicant_id") + " at " + t);
            assertEquals(window.stream().mapToDouble(e -> e.getDouble(3)).sum(), f.<Double>getAs("amount_sum_30d"), 1e-6);
            reachedBack += window.stream().anyMatch(e -> ((Timestamp) e.get(2)).before(Timestamp.valueOf("2024-01-31 00:00:00"))) ? 1 : 0;
        }
        assertTrue(reachedBack > 0, "some February windows reach into January, which was read as lookback");
    }

    @Test
    void eachMaterialisationAppendsStatisticsOfWhatItWrote() {
        Materializer.Result r = materialize(view, JAN1, JAN31, "run-stats");
        Dataset<Row> stats = store.read(FeatureStore.STATISTICS_TABLE, null).data().where(col("run_id").equalTo("run-stats"));

        assertEquals(List.of("amount_sum_30d", "apps_30d", "dti"),
                stats.select("column").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList());
        Row dti = stats.where(col("column").equalTo("dti")).head();
        assertEquals("features.apps_history", dti.getAs("source_table"));
        assertEquals(r.version(), dti.<Long>getAs("source_version"));
        assertEquals(r.rowsWritten(), dti.<Long>getAs("row_count"));
        Row exact = store.read(view.table(), r.version()).data().agg(org.apache.spark.sql.functions.min("dti"), org.apache.spark.sql.functions.max("dti"),
                org.apache.spark.sql.functions.avg("dti")).head();
        assertEquals(exact.getDouble(0), dti.<Double>getAs("min"), 1e-12);
        assertEquals(exact.getDouble(1), dti.<Double>getAs("max"), 1e-12);
        assertEquals(exact.getDouble(2), dti.<Double>getAs("mean"), 1e-12);
    }

    private List<Row> withBadDti() {
        List<Row> rows = new ArrayList<>(events);
        rows.add(RowFactory.create("BAD-1", "CUS-900", Timestamp.valueOf("2024-01-10 10:00:00"), 5000.0, 9.0, 0));
        rows.add(RowFactory.create("BAD-2", "CUS-901", Timestamp.valueOf("2024-01-12 10:00:00"), 5000.0, -1.0, 0));
        return rows;
    }

    @Test
    void aQuarantineRuleDivertsOffendingRowsWithTheReasonAndWritesTheRest() {
        events = withBadDti();
        writeSource(events);
        Materializer.Result r = materialize(view, JAN1, JAN31, "run-q");
        materialize(view, JAN1, JAN31, "run-q2");

        assertEquals(2, r.rowsQuarantined());
        assertEquals(sourceRowsBetween(JAN1, JAN31) - 2, r.rowsWritten());
        assertEquals(0, store.read(view.table(), null).data().where(col("applicant_id").isin("CUS-900", "CUS-901")).count());
        Dataset<Row> q = store.read(view.quarantineTable(), null).data();
        assertEquals(2, q.count(), "a rerun replaces the range in quarantine too");
        assertEquals(List.of("dti=-1.0 outside [0.0, 5.0]", "dti=9.0 outside [0.0, 5.0]"),
                q.orderBy("reason").select("reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertTrue(q.where(col("applicant_id").equalTo("CUS-900")).head().<String>getAs("record").contains("\"dti\":9.0"));
    }

    @Test
    void aFailRuleFailsTheJobNamingTheFeatureAndWritesNothing() {
        events = withBadDti();
        writeSource(events);
        FeatureViewDefinition strict = DefinitionLoader.parse("apps_history.yaml", VIEW.replace("ACTION", "fail"));

        FeatureValidationException e = assertThrows(FeatureValidationException.class, () -> materialize(strict, JAN1, JAN31, "run-f"));
        assertEquals("features.apps_history 2024-01-01..2024-01-31 failed validation (apps_history.yaml, action fail): feature 'dti': 2 of "
                + sourceRowsBetween(JAN1, JAN31) + " rows outside [0.0, 5.0]", e.getMessage());
        assertFalse(store.exists(view.table()));
        assertFalse(store.exists(view.quarantineTable()));
    }

    @Test
    void aTrainingSetReadsAgainExactlyAtItsRecordedVersionsAfterTheViewWasRematerialised() {
        materialize(view, JAN1, FEB29, "run-1");
        List<Row> viewAsRun1WroteIt = store.read(view.table(), null).data().orderBy("applicant_id", "event_ts").collectAsList();
        Dataset<Row> entities = store.read("raw.apps", 0L).data().select("application_id", "applicant_id", "application_ts", "defaulted")
                .where(col("application_ts").geq(Timestamp.valueOf("2024-01-15 00:00:00")));
        TrainingSet original = new TrainingSetBuilder(store).entities(entities, "application_ts", "raw.apps", 0L).views(List.of("apps_history")).build();
        long tsVersion = TrainingSets.write(store, original, "features.train_apps", "run-ts");
        List<Row> originalRows = sorted(store.read("features.train_apps", tsVersion).data());

        Map<String, Long> recorded = TrainingSets.recordedVersions(store, "features.train_apps", tsVersion);
        assertEquals(Map.of("apps_history", 0L), recorded);
        String meta = DeltaTable.forPath(spark, store.pathOf("features.train_apps")).history(1).head().getAs("userMetadata");
        assertTrue(meta.contains("\"views\":{\"apps_history\":0}") && meta.contains("\"entities_table\":\"raw.apps\""), meta);

        // the source is corrected (amounts ×10) and the view rematerialised over the same range: a new version
        List<Row> changed = events.stream().map(r -> RowFactory.create(r.get(0), r.get(1), r.get(2), r.getDouble(3) * 10, r.get(4), r.get(5))).toList();
        writeSource(changed);
        Materializer.Result rerun = materialize(view, JAN1, FEB29, "run-2");
        // the version the materialiser reports is the commit Delta's own log holds for that run, and the one before
        // it is run-1's, the version the training set recorded
        Map<String, Long> commitOfRun = new java.util.HashMap<>();
        for (Row h : DeltaTable.forPath(spark, store.pathOf(view.table())).history().collectAsList()) {
            String m = h.getAs("userMetadata");
            commitOfRun.put(m.replaceAll(".*\"run_id\":\"([^\"]+)\".*", "$1"), h.getAs("version"));
        }
        assertEquals(Map.of("run-1", 0L, "run-2", 1L), commitOfRun);
        assertEquals(commitOfRun.get("run-2"), rerun.version());
        assertEquals(commitOfRun.get("run-1"), recorded.get("apps_history"));

        TrainingSet latest = new TrainingSetBuilder(store).entities(entities, "application_ts").views(List.of("apps_history")).build();
        assertEquals(Map.of("apps_history", 1L), latest.viewVersions());
        assertNotEquals(originalRows, sorted(latest.data()), "the rematerialised view gives different features");

        TrainingSet again = new TrainingSetBuilder(store).entities(entities, "application_ts").views(List.of("apps_history")).asOf(recorded).build();
        assertEquals(originalRows, sorted(again.data()));
        // time travel to the version before the rerun, independent of the feature store's reads: still what run-1 wrote
        Dataset<Row> previous = spark.read().format("delta").option("versionAsOf", rerun.version() - 1).load(store.pathOf(view.table()));
        assertEquals(viewAsRun1WroteIt, previous.orderBy("applicant_id", "event_ts").collectAsList());
        assertNotEquals(viewAsRun1WroteIt, store.read(view.table(), rerun.version()).data().orderBy("applicant_id", "event_ts").collectAsList());
    }

    @Test
    void trainingSetArgumentsAreChecked() {
        materialize(view, JAN1, JAN31, "run-1");
        Dataset<Row> noKey = store.read("raw.apps", null).data().select("application_ts");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingSetBuilder(store).entities(noKey, "application_ts").views(List.of("apps_history")).build());
        assertEquals("entity rows lack join key(s) [applicant_id] of view apps_history; they have [application_ts]", e.getMessage());
        Dataset<Row> clash = store.read("raw.apps", null).data().withColumnRenamed("debt_to_income", "dti");
        assertEquals("feature 'dti' of view apps_history clashes with an entity column or a feature of an earlier view",
                assertThrows(IllegalArgumentException.class,
                        () -> new TrainingSetBuilder(store).entities(clash, "application_ts").views(List.of("apps_history")).build()).getMessage());
    }

    private static List<Row> sorted(Dataset<Row> rows) {
        return rows.orderBy("application_id").collectAsList();
    }
}
