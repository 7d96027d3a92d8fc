package io.fedlake.cli;

import io.fedlake.core.UserError;

import io.fedlake.features.definition.DefinitionException;
import io.fedlake.features.definition.Durations;
import io.fedlake.features.definition.FeatureDefinition;
import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.definition.FeatureViews;
import io.fedlake.features.drift.DriftReport;
import io.fedlake.features.materialize.Materializer;
import io.fedlake.features.pointintime.TiePolicy;
import io.fedlake.features.stats.ColumnStatistics;
import io.fedlake.features.store.FeatureStore;
import io.fedlake.features.store.TrainingSet;
import io.fedlake.features.store.TrainingSetBuilder;
import io.fedlake.features.store.TrainingSets;
import io.fedlake.features.validation.FeatureValidationException;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/** {@code fedlake features list|validate|materialize|training-set|stats|drift}: the feature store from the command line. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Feature views: list and validate definitions, materialise to Delta, build point-in-time training sets, statistics, drift.",
        subcommands = {FeaturesCommand.ListViews.class, FeaturesCommand.Validate.class, FeaturesCommand.Materialize.class,
                FeaturesCommand.BuildTrainingSet.class, FeaturesCommand.Stats.class, FeaturesCommand.Drift.class})
final class FeaturesCommand implements Runnable {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: list, validate, materialize, training-set, stats or drift");
    }

    /** {@code --definitions DIR}, default the definitions packaged with Fedlake. */
    static final class Definitions {
        @Option(names = "--definitions", paramLabel = "DIR",
                description = "Directory of feature view YAML files. Default: the definitions packaged with Fedlake (feature-store/definitions)")
        Path dir;

        FeatureViews load() {
            return userErrors(() -> dir == null ? FeatureViews.packaged() : FeatureViews.load(dir));
        }
    }

    /** Library errors a user can act on (bad definition, broken rule, bad argument) become one-line CLI errors. */
    static <T> T userErrors(Supplier<T> body) {
        try {
            return body.get();
        } catch (DefinitionException | FeatureValidationException e) {
            throw new UserError(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    private static FeatureStore store(Lake lake, FeatureViews views) {
        return new FeatureStore(lake.spark(), lake::pathOf, views);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The defined feature views.")
    static final class ListViews implements Callable<Integer> {
        @Mixin
        Definitions definitions;

        @Override
        public Integer call() {
            ConsoleOut out = ConsoleOut.stdout();
            FeatureViews views = definitions.load();
            out.printf("%-26s %3s  %-10s %-22s %-14s %5s %8s  %s%n", "view", "v", "entity", "join keys", "source", "ttl", "features", "owner");
            for (FeatureViewDefinition d : views.all()) {
                out.printf("%-26s %3d  %-10s %-22s %-14s %5s %8d  %s%n", d.name(), d.version(), d.entity(), String.join(",", d.joinKeys()), d.source(),
                        Durations.format(d.ttl()), d.features().size(), d.owner());
            }
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Load and check every definition (fields, durations, rules, expression syntax); exit 1 naming the file and field of the first problem.")
    static final class Validate implements Callable<Integer> {
        @Mixin
        Definitions definitions;

        @Override
        public Integer call() {
            FeatureViews views = definitions.load();
            int features = views.all().stream().mapToInt(d -> d.features().size()).sum();
            ConsoleOut.stdout().printf("ok: %d views, %d features in %s%n", views.all().size(), features, views.origin());
            return 0;
        }
    }

    @Command(name = "materialize", mixinStandardHelpOptions = true,
            description = "Compute a view for a date range into features.<view> (partitioned by event_date; a rerun replaces the range), "
                    + "apply its validation rules, and record statistics in features.statistics.")
    static final class Materialize extends SparkCommand {
        @Mixin
        Definitions definitions;
        @Option(names = "--view", required = true, description = "Feature view name (see 'features list')")
        String viewName;
        @Option(names = "--from", required = true, paramLabel = "yyyy-MM-dd", description = "First event date (inclusive)")
        String fromText;
        @Option(names = "--to", required = true, paramLabel = "yyyy-MM-dd", description = "Last event date (inclusive)")
        String toText;

        private LocalDate from;
        private LocalDate to;

        @Override
        protected void validate() {
            from = DateOption.parse("--from", fromText);
            to = DateOption.parse("--to", toText);
            if (to.isBefore(from)) {
                throw new IllegalArgumentException("--to must not be before --from, got " + from + " .. " + to);
            }
        }

        @Override
        protected int run(Lake lake) {
            FeatureViews views = definitions.load();
            FeatureViewDefinition d = userErrors(() -> views.get(viewName));
            Lake.Snapshot source = lake.readLatest(d.source(), "generate or ingest it first");
            String runId = RunIds.next();
            Materializer.Result r = userErrors(() -> Materializer.materialize(store(lake, views), d, source.data(), source.version(), from, to, runId));
            out.printf(Locale.ROOT, "materialized %s %s..%s from %s v%d: %,d rows written + %,d quarantined, Delta version %d, %.1f s (run %s)%n",
                    r.table(), from, to, r.source(), r.sourceVersion(), r.rowsWritten(), r.rowsQuarantined(), r.version(), r.seconds(), runId);
            printStatistics(out, r.statistics().columns().values());
            return 0;
        }
    }

    static void printStatistics(ConsoleOut out, java.util.Collection<ColumnStatistics> columns) {
        out.printf("  %-34s %9s %12s %12s %12s %12s %9s%n", "feature", "null rate", "min", "max", "mean", "std", "distinct");
        for (ColumnStatistics c : columns) {
            out.printf(Locale.ROOT, "  %-34s %9.4f %12s %12s %12s %12s %9d%n", c.column(), c.missingRate(), num(c.min()), num(c.max()), num(c.mean()),
                    num(c.stddev()), c.approxDistinct());
        }
    }

    private static String num(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.4g", d);
    }

    @Command(name = "training-set", mixinStandardHelpOptions = true,
            description = "Attach each view's features as of every entity row's timestamp (never a later value, none older than the view's TTL) "
                    + "and write a Delta training set whose commit and features.training_sets record every view's Delta version.")
    static final class BuildTrainingSet extends SparkCommand {
        @Mixin
        Definitions definitions;
        @Option(names = "--entities", required = true, paramLabel = "TABLE", description = "Entity/label table, e.g. raw.credit")
        String entities;
        @Option(names = "--timestamp", required = true, paramLabel = "COLUMN", description = "Event time column of the entity table")
        String timestamp;
        @Option(names = "--views", required = true, split = ",", paramLabel = "VIEW", description = "Comma-separated feature views")
        List<String> views;
        @Option(names = "--out", required = true, paramLabel = "TABLE", description = "Output table, features.<name>")
        String outTable;
        @Option(names = "--tie", defaultValue = "inclusive",
                description = "A feature stamped exactly at the event time: inclusive (counts) or exclusive (only strictly earlier). Default: ${DEFAULT-VALUE}")
        String tieText;

        private TiePolicy tie;

        @Override
        protected void validate() {
            tie = TiePolicy.parse(tieText);
            if (!outTable.startsWith("features.")) {
                throw new IllegalArgumentException("--out must be a features.<name> table, got '" + outTable + "'");
            }
        }

        @Override
        protected int run(Lake lake) {
            FeatureViews defs = definitions.load();
            FeatureStore store = store(lake, defs);
            if (views.contains(outTable.substring("features.".length()))) {
                throw new UserError("--out " + outTable + " would overwrite a feature view");
            }
            for (String v : views) {
                lake.requireExists(userErrors(() -> defs.get(v)).table(), "materialise it first with 'fedlake features materialize --view " + v + "'");
            }
            Lake.Snapshot e = lake.readLatest(entities, "generate or ingest it first");
            long start = System.nanoTime();
            String runId = RunIds.next();
            TrainingSet set = userErrors(() -> new TrainingSetBuilder(store).entities(e.data(), timestamp, e.table(), e.version()).views(views)
                    .tiePolicy(tie).build());
            long version = TrainingSets.write(store, set, outTable, runId);
            List<Column> nonNull = set.featureColumns().stream().map(f -> count(col(f)).as(f)).toList();
            Row counts = lake.spark().read().format("delta").option("versionAsOf", version).load(lake.pathOf(outTable))
                    .agg(count(lit(1)), nonNull.toArray(Column[]::new)).head();
            long rows = counts.getLong(0);
            out.printf(Locale.ROOT, "training set %s v%d: %,d rows from %s v%d (timestamp %s, ties %s), %.1f s (run %s)%n", outTable, version, rows,
                    e.table(), e.version(), timestamp, tie.name().toLowerCase(Locale.ROOT), (System.nanoTime() - start) / 1e9, runId);
            for (Map.Entry<String, Long> v : set.viewVersions().entrySet()) {
                out.printf("  view %-26s Delta version %d (definition v%d)%n", v.getKey(), v.getValue(), set.definitionVersions().get(v.getKey()));
            }
            for (int i = 0; i < set.featureColumns().size(); i++) {
                long n = counts.getLong(i + 1);
                out.printf(Locale.ROOT, "  %-34s found for %5.1f %% of rows%n", set.featureColumns().get(i), rows == 0 ? 0.0 : 100.0 * n / rows);
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Statistics of a view's latest materialisation (from features.statistics).")
    static final class Stats extends SparkCommand {
        @Mixin
        Definitions definitions;
        @Option(names = "--view", required = true, description = "Feature view name")
        String viewName;

        @Override
        protected void validate() {
        }

        @Override
        protected int run(Lake lake) {
            FeatureViewDefinition d = userErrors(() -> definitions.load().get(viewName));
            lake.requireExists(FeatureStore.STATISTICS_TABLE, "materialise a view first");
            List<Row> latest = lake.spark().read().format("delta").load(lake.pathOf(FeatureStore.STATISTICS_TABLE))
                    .where(col("source_table").equalTo(d.table())).orderBy(col("computed_at").desc()).limit(1).collectAsList();
            if (latest.isEmpty()) {
                throw new UserError("no statistics for " + d.table() + " in " + FeatureStore.STATISTICS_TABLE + " (materialise it first)");
            }
            String run = latest.get(0).getAs("run_id");
            List<Row> rows = lake.spark().read().format("delta").load(lake.pathOf(FeatureStore.STATISTICS_TABLE))
                    .where(col("source_table").equalTo(d.table()).and(col("run_id").equalTo(run))).collectAsList();
            Row first = rows.get(0);
            out.printf("%s Delta version %d, run %s, %,d rows, computed at %s%n", d.table(), first.<Long>getAs("source_version"), run,
                    first.<Long>getAs("row_count"), first.getAs("computed_at"));
            List<String> order = d.featureNames();
            printStatistics(out, rows.stream().sorted(java.util.Comparator.comparingInt(r -> order.indexOf(r.<String>getAs("column"))))
                    .map(r -> new ColumnStatistics(r.getAs("column"), r.getAs("kind"), r.getAs("count"), r.getAs("missing"), r.getAs("mean"),
                            r.getAs("stddev"), r.getAs("min"), r.getAs("max"), r.getAs("approx_distinct"), List.of())).toList());
            return 0;
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true,
            description = "Population stability index per feature between a training set and a view's rows on a scoring date "
                    + "(< 0.1 stable, 0.1-0.25 moderate, >= 0.25 significant); appended to features.drift and printed.")
    static final class Drift extends SparkCommand {
        @Mixin
        Definitions definitions;
        @Option(names = "--training", required = true, paramLabel = "TABLE", description = "Training set table, features.<name>")
        String training;
        @Option(names = "--view", required = true, description = "Feature view whose features are compared")
        String viewName;
        @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "Scoring date: the view's rows with this event_date")
        String dateText;
        @Option(names = "--bins", defaultValue = "10", description = "Quantile bins from the training distribution. Default: ${DEFAULT-VALUE}")
        int bins;

        private LocalDate date;

        @Override
        protected void validate() {
            date = DateOption.parse("--date", dateText);
            if (bins < 2) {
                throw new IllegalArgumentException("--bins must be ≥ 2, got " + bins);
            }
        }

        @Override
        protected int run(Lake lake) {
            FeatureViews defs = definitions.load();
            FeatureViewDefinition d = userErrors(() -> defs.get(viewName));
            FeatureStore store = store(lake, defs);
            Lake.Snapshot train = lake.readLatest(training, "build it with 'fedlake features training-set'");
            lake.requireExists(d.table(), "materialise it first");
            FeatureStore.Snapshot view = store.readView(d.name(), null);
            List<String> numeric = d.features().stream().filter(f -> !Arrays.asList("string", "boolean", "date", "timestamp").contains(f.type()))
                    .map(FeatureDefinition::name).filter(f -> Arrays.asList(train.data().columns()).contains(f)).toList();
            if (numeric.isEmpty()) {
                throw new UserError("training set " + training + " has no numeric feature of view " + d.name());
            }
            List<DriftReport.FeatureDrift> drift = DriftReport.compute(train.data(), view.data().where(col("event_date").equalTo(lit(date.toString()).cast("date"))),
                    numeric, bins);
            if (drift.stream().allMatch(x -> x.actualRows() == 0)) {
                throw new UserError(d.table() + " has no rows dated " + date);
            }
            String runId = RunIds.next();
            DriftReport.append(lake.spark(), lake.pathOf(FeatureStore.DRIFT_TABLE), drift, runId, training, train.version(), d.name(), view.version(), date);
            out.printf("drift %s v%d → %s v%d on %s (run %s)%n", training, train.version(), d.table(), view.version(), date, runId);
            out.printf("  %-34s %8s  %-12s %5s %10s %10s%n", "feature", "psi", "band", "bins", "training", "scoring");
            for (DriftReport.FeatureDrift x : drift) {
                out.printf(Locale.ROOT, "  %-34s %8.4f  %-12s %5d %,10d %,10d%n", x.feature(), x.psi(), x.band(), x.bins(), x.expectedRows(), x.actualRows());
            }
            return 0;
        }
    }
}
