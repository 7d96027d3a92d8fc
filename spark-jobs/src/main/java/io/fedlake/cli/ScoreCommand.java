package io.fedlake.cli;

import io.fedlake.core.UserError;
import io.fedlake.explain.ImageExplanations;

import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Batch-score one logical date of a domain's input into scores.<domain>, exactly once; bad rows go to quarantine.<domain>.")
final class ScoreCommand extends SparkCommand {

    @Option(names = "--domain", defaultValue = "credit", description = "credit, imaging or defect. Default: ${DEFAULT-VALUE}")
    String domainName;

    @Option(names = "--model", required = true, paramLabel = "NAME[:VERSION|@ALIAS]", description = "Registered model: NAME (newest version), NAME:VERSION or NAME@ALIAS, e.g. credit-mlp@champion")
    String model;

    @Option(names = "--date", required = true, description = "Logical date (yyyy-MM-dd): rows of the input whose date column equals it")
    String date;

    @Option(names = "--table", description = "Input table. Default: the domain's raw table. A table ingested with recorded roles scores into scores.<its name>, keyed by its key")
    String table;

    @Option(names = "--all-dates", description = "Score every row of the input, not only those whose date column equals --date "
            + "(a backfill or a snapshot table); the scores still replace --date's partition")
    boolean allDates;

    @Option(names = "--batch-size", defaultValue = "16384", description = "Rows per forward pass. Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--threshold", description = "Probability at or above which the decision is decline/refer/reject. Default: 0.2 credit, 0.5 images and your own tables")
    Double threshold;

    @Option(names = "--reason-codes", description = "Reason codes per row (occlusion attributions). Default: 4 for credit, 0 for images and your own tables")
    Integer reasonCodes;

    @Option(names = "--reason-codes-for", paramLabel = "adverse|all", description = "Which rows get reason codes: adverse (the rows "
            + "declined, referred or rejected: an adverse-action notice owes reasons for those, not for approvals) or all. Default: adverse; "
            + "recorded on each row as reason_codes_for")
    String reasonCodesFor;

    @Option(names = "--explain-images", paramLabel = "N", description = "After scoring, explain the N highest-scored images "
            + "(integrated gradients against a blurred baseline) into explanations.<domain> as heatmap PNGs; image models only, N ≤ "
            + ImageExplanations.MAX_IMAGES)
    Integer explainImages;

    @Option(names = "--features", split = ",", paramLabel = "VIEW", description = "Feature views to attach as of each row's --event-time "
            + "(point in time, within each view's TTL), as the model was trained; their Delta versions are recorded on every score row")
    java.util.List<String> features;

    @Option(names = "--event-time", defaultValue = "application_ts", description = "Timestamp column for --features. Default: ${DEFAULT-VALUE}")
    String eventTime;

    @Option(names = "--definitions", paramLabel = "DIR", description = "Feature view definitions for --features. Default: the packaged ones")
    java.nio.file.Path definitions;

    private Domain domain;
    private LocalDate logicalDate;

    @Override
    protected void validate() {
        domain = Domain.parse(domainName);
        logicalDate = DateOption.parse("--date", date);
        if (table == null) {
            table = domain.rawTable();
        }
        if (reasonCodesFor != null) {
            ScoringJob.ReasonCodesFor.parse(reasonCodesFor);
            if (reasonCodes != null && reasonCodes == 0) {
                throw new IllegalArgumentException("--reason-codes-for applies when reason codes are computed; --reason-codes is 0");
            }
        }
        if (explainImages != null && (explainImages < 1 || explainImages > ImageExplanations.MAX_IMAGES)) {
            throw new IllegalArgumentException("--explain-images must be within 1…" + ImageExplanations.MAX_IMAGES + ", got " + explainImages);
        }
    }

    @Override
    protected int run(Lake lake) {
        String runId = RunIds.next();
        Lake.Snapshot input = lake.readLatest(table, "generate or ingest it first");
        ModelFiles.LoadedModel loaded = new ModelRegistry(lake).load(model);
        io.fedlake.lake.TableRoles roles = io.fedlake.lake.TableRoles.of(lake, table);
        boolean own = roles.key() != null && !table.equals(domain.rawTable()); // the domain's raw table keeps its preset
        if (!allDates && !java.util.List.of(input.data().columns()).contains(domain.dateColumn())) {
            if (own) {
                throw new UserError("table " + table + " has no date column " + domain.dateColumn() + ": give --all-dates to score every row under --date");
            }
            throw UserError.missingColumns(table, java.util.List.of(domain.dateColumn()), java.util.List.of(input.data().columns()));
        }
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows =
                allDates ? input.data() : input.data().where(col(domain.dateColumn()).equalTo(to_date(lit(logicalDate.toString()))));
        java.util.Map<String, Long> featureViews = java.util.Map.of();
        if (features != null && !features.isEmpty()) {
            io.fedlake.features.definition.FeatureViews views = definitions == null ? io.fedlake.features.definition.FeatureViews.packaged()
                    : io.fedlake.features.definition.FeatureViews.load(definitions);
            io.fedlake.features.store.TrainingSet attached = new io.fedlake.features.store.TrainingSetBuilder(
                    new io.fedlake.features.store.FeatureStore(lake.spark(), lake::pathOf, views))
                    .entities(rows, eventTime, table, input.version()).views(features).build();
            rows = attached.data();
            featureViews = attached.viewVersions();
            out.printf("features %s attached as of %s (Delta versions %s)%n", features, eventTime, featureViews);
        }
        // A user's table (its ingest recorded the roles) scores into scores.<its name>, keyed as it was ingested; the
        // decision words are the model's positive class and its negation
        java.util.List<io.fedlake.zoo.ModelSpec.Output> outputs = loaded.preprocessing().outputs();
        if (explainImages != null) {
            ImageExplanations.requireExplainable(loaded, model); // refused before any scoring work
        }
        if (outputs.stream().noneMatch(io.fedlake.zoo.ModelSpec.Output::binary) && threshold != null) {
            throw new UserError("--threshold applies to a model with a binary output; " + model + " predicts "
                    + outputs.stream().map(o -> o.regression() ? o.column() + " (regression)" : o.column() + " (" + o.classes().size() + " classes)").toList());
        }
        if (!outputs.get(0).binary() && reasonCodes != null && reasonCodes > 0) {
            throw new UserError("--reason-codes explain a binary first output; " + model + "'s first output " + outputs.get(0).column()
                    + " is " + (outputs.get(0).regression() ? "a regression" : "multi-class"));
        }
        String positiveClass = outputs.get(0).binary() ? outputs.get(0).classes().get(1) : null;
        java.util.List<String> decisions = own && positiveClass != null && !positiveClass.equals("1") ? java.util.List.of(positiveClass, "not " + positiveClass)
                : own ? java.util.List.of("positive", "negative") : ScoringPresets.decisions(domain);
        int codes = reasonCodes != null ? reasonCodes : own ? 0 : ScoringPresets.defaultReasonCodes(domain);
        if (reasonCodesFor != null && codes == 0) {
            throw new UserError("--reason-codes-for applies when reason codes are computed; " + (own ? "a table of your own" : domain.id())
                    + " gets none by default (give --reason-codes N)");
        }
        String scoreDomain = own ? table.substring(table.indexOf('.') + 1) : domain.id();
        String entityKey = own ? roles.key() : domain.entityKey();
        ScoringJob.Outcome o = ScoringJob.run(lake, new ScoringJob.Request(scoreDomain, input, rows,
                entityKey, own ? roles.client() : domain.clientKey(), loaded, logicalDate, runId, batchSize,
                threshold != null ? threshold : own ? 0.5 : ScoringPresets.defaultThreshold(domain), decisions,
                codes, ScoringPresets.featureLabels(domain), featureViews,
                reasonCodesFor == null ? ScoringJob.ReasonCodesFor.ADVERSE : ScoringJob.ReasonCodesFor.parse(reasonCodesFor)));
        out.printf("scored %s for %s with %s:%s: %,d read = %,d scored + %,d quarantined in %.1f s → %s (Delta version %d)%n",
                table, logicalDate, loaded.version().name(), loaded.version().version(), o.input(), o.scored(), o.quarantined(),
                o.seconds(), o.scoresPath(), o.scoresVersion());
        if (explainImages != null) {
            ImageExplanations.Outcome e = ImageExplanations.run(lake, new ImageExplanations.Request(
                    scoreDomain, o.scoresTable(), input, rows, entityKey, loaded, logicalDate.toString(), runId, explainImages, featureViews));
            out.printf("explained %,d of the highest-scored images for %s with integrated gradients (mean completeness gap %.3f) in %.1f s → %s (Delta version %d)%n",
                    e.explained(), logicalDate, e.meanCompletenessGap(), e.seconds(), e.path(), e.version());
        }
        return 0;
    }
}
