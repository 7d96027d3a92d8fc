package io.fedlake.cli;

import io.fedlake.core.UserError;

import io.fedlake.generate.SyntheticData;
import io.fedlake.preset.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.train.HoldoutSplit;
import io.fedlake.train.ParameterAveragingTrainer;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingJob;
import io.fedlake.train.federated.FederatedConfig;
import io.fedlake.train.federated.FederatedTrainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job: the flow the Airflow DAGs run, end to end in one Spark application. Per domain: generate the raw
 * table if absent → train (credit with parameter averaging, imaging over hospitals and defect over plants with
 * federated averaging) → evaluate on the holdout → register → promote to {@code champion} through the metric gate →
 * score the holdout rows with the champion into {@code scores.<domain>} for the logical date. Ends with one summary
 * table.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Run the whole flow per domain: generate data if absent → train → evaluate → register → gate-promote to champion",
                "→ score the holdout into scores.<domain>; then print a summary table. Credit trains with parameter averaging,",
                "imaging and defect with federated averaging across their hospitals and plants."})
final class PipelineCommand extends SparkCommand {

    static final String ALIAS = "champion";
    /** The gate of the training DAG's default: a candidate may be this much worse (holdout AUC) than the champion. */
    static final double GATE_TOLERANCE = 0.005;

    @Option(names = "--domain", split = ",", defaultValue = "credit,imaging,defect", paramLabel = "DOMAIN",
            description = "Domains to run, in this order (comma-separated). Default: ${DEFAULT-VALUE}")
    List<String> domainNames;

    @Option(names = "--rows", defaultValue = "50000", description = "credit: rows to generate when raw.credit is absent. Default: ${DEFAULT-VALUE}")
    long rows;

    @Option(names = "--image-rows", defaultValue = "1200",
            description = "imaging, defect: rows to generate when raw.imaging / raw.defect is absent. Default: ${DEFAULT-VALUE}")
    long imageRows;

    @Option(names = "--epochs", defaultValue = "3", description = "credit: parameter-averaging epochs. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--rounds", defaultValue = "5", description = "imaging, defect: federated rounds. Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--date", description = "Logical date of the scoring runs (yyyy-MM-dd). Default: today (UTC)")
    String date;

    @Option(names = "--score-batch-size", defaultValue = "4096", description = "Rows per forward pass when scoring. Default: ${DEFAULT-VALUE}")
    int scoreBatchSize;

    private List<Domain> domains;
    private LocalDate logicalDate;

    @Override
    protected void validate() {
        domains = new ArrayList<>();
        for (String name : domainNames) {
            Domain d = Domain.parse(name.trim());
            if (domains.contains(d)) {
                throw new IllegalArgumentException("--domain lists " + d.id() + " twice");
            }
            domains.add(d);
        }
        positive("--rows", rows);
        positive("--image-rows", imageRows);
        positive("--epochs", epochs);
        positive("--rounds", rounds);
        positive("--score-batch-size", scoreBatchSize);
        boolean credit = domains.contains(Domain.CREDIT);
        boolean images = domains.contains(Domain.IMAGING) || domains.contains(Domain.DEFECT);
        List<String> unused = new ArrayList<>();
        for (String o : List.of("--rows", "--epochs")) {
            if (!credit && given(o)) {
                unused.add(o + " (applies to credit)");
            }
        }
        for (String o : List.of("--image-rows", "--rounds")) {
            if (!images && given(o)) {
                unused.add(o + " (applies to imaging, defect)");
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--domain " + String.join(",", domainNames) + " does not use " + String.join(", ", unused));
        }
        logicalDate = DateOption.parseOrToday("--date", date);
        for (Domain d : domains) {
            training(d); // the training options are checked before Spark starts
        }
    }

    private static void positive(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be ≥ 1, got " + value);
        }
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** One summary row. */
    record DomainResult(Domain domain, long rows, double auc, String trained, String champion, String regime, double seconds,
                        String scoresTable, long scored, long scoresVersion) {
    }

    @Override
    protected int run(Lake lake) {
        long t0 = System.nanoTime();
        out.printf("fedlake pipeline: %s, logical date %s, lake %s, master %s%n", String.join(", ", domains.stream().map(Domain::id).toList()),
                logicalDate, lake.root(), lake.spark().sparkContext().master());
        List<DomainResult> results = new ArrayList<>();
        for (Domain d : domains) {
            results.add(runDomain(lake, d));
        }
        out.println("summary");
        String format = "  %-8s %10s  %-10s  %-16s  %-16s  %-8s  %8s  %-15s %8s  %s%n";
        out.printf(format, "domain", "rows", "metric", "trained", "scored with", "regime", "time", "scores table", "scored", "Delta version");
        for (DomainResult r : results) {
            out.printf(format, r.domain().id(), String.format("%,d", r.rows()), String.format("AUC %.4f", r.auc()), r.trained(), r.champion(),
                    r.regime(), String.format("%.1f s", r.seconds()), r.scoresTable(), String.format("%,d", r.scored()), "v" + r.scoresVersion());
        }
        out.printf("pipeline finished: %d domain(s) in %.1f s%n", results.size(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private DomainResult runDomain(Lake lake, Domain domain) {
        long t0 = System.nanoTime();
        String runId = RunIds.next();
        out.printf("%s (run %s)%n", domain.id(), runId);
        String table = domain.rawTable();
        boolean credit = domain == Domain.CREDIT;
        if (!lake.exists(table)) {
            long n = credit ? rows : imageRows;
            int partitions = SyntheticData.defaultPartitions(domain, n, lake.spark().sparkContext().defaultParallelism());
            SyntheticData.Result g = SyntheticData.generate(lake, domain, n, partitions, global().seed, runId);
            out.printf("  data      generated %s: %,d rows in %.1f s (Delta version %d)%n", table, g.rows(), g.seconds(), g.version());
        } else {
            String sizeOption = credit ? "--rows" : "--image-rows";
            if (given(sizeOption)) {
                throw new UserError(table + " exists (Delta version " + lake.version(table) + "): " + sizeOption
                        + " only applies when the pipeline generates it; drop " + sizeOption + " or use another --lake");
            }
            out.printf("  data      using existing %s (Delta version %d)%n", table, lake.version(table));
        }

        TrainOptions options = training(domain);
        Trainer trainer = options.trainer();
        TrainConfig config = options.config(table, global().seed);
        out.printf("  train     %s with %s, %s%n", config.architecture(), trainer.regime(), credit
                ? String.format("%d epoch(s), batch %d, averaging every %d", config.epochs(), config.batchSize(), config.averagingFrequency())
                : String.format("%d round(s) over the %s clients", config.settings(FederatedConfig.class).rounds(), config.settings(FederatedConfig.class).clientColumn()));
        TrainingJob.Outcome trained = TrainingJob.run(lake, config, trainer, options.modelName(), runId, line -> {
            if (!line.startsWith("round ") || line.contains("holdout")) { // parameter averaging reports every averaging step
                out.println("            " + line);
            }
        });
        out.printf("            %,d training rows (Delta version %d), %,d rejected, %.1f s%n", trained.trainRows(), trained.inputVersion(),
                trained.rejectedRows(), trained.trainSeconds());
        out.printf("  evaluate  holdout %s%n", trained.holdout());
        String reference = trained.model().name() + ":" + trained.model().version();
        out.printf("  register  %s sha256 %s%n", reference, trained.model().sha256());
        out.printf("            → %s%n", trained.model().uri());

        ModelRegistry registry = new ModelRegistry(lake);
        ModelRegistry.Promotion promotion = registry.promote(reference, ALIAS, "holdout_auc", GATE_TOLERANCE, true);
        out.printf("  promote   gate %s%n", promotion.promoted() ? "passed: " + promotion.message() : promotion.message());

        ModelFiles.LoadedModel champion = registry.load(trained.model().name() + "@" + ALIAS);
        Dataset<Row> at = lake.spark().read().format("delta").option("versionAsOf", trained.inputVersion()).load(lake.pathOf(table));
        Lake.Snapshot input = new Lake.Snapshot(table, lake.pathOf(table), trained.inputVersion(), at);
        Dataset<Row> holdout = at.where(HoldoutSplit.isHoldout(config.spec().entityKey(), config.seed(), config.holdoutFraction()));
        ScoringJob.Outcome scored = ScoringJob.run(lake, new ScoringJob.Request(domain.id(), input, holdout,
                domain.entityKey(), domain.clientKey(), champion, logicalDate, runId, scoreBatchSize, ScoringPresets.defaultThreshold(domain),
                ScoringPresets.decisions(domain), ScoringPresets.defaultReasonCodes(domain), ScoringPresets.featureLabels(domain)));
        String scoredWith = champion.version().name() + ":" + champion.version().version();
        out.printf("  score     %s for %s with %s: %,d read = %,d scored + %,d quarantined, %.1f s%n", scored.scoresTable(), logicalDate,
                scoredWith, scored.input(), scored.scored(), scored.quarantined(), scored.seconds());
        out.printf("            → %s (Delta version %d)%n", scored.scoresPath(), scored.scoresVersion());
        return new DomainResult(domain, trained.trainRows() + trained.holdoutRows(), trained.holdout().auc(), reference, scoredWith,
                trainer.regime(), (System.nanoTime() - t0) / 1e9, scored.scoresTable(), scored.scored(), scored.scoresVersion());
    }

    /** The training options of one domain, as {@code fedlake train} would parse them: the same defaults and checks. */
    private TrainOptions training(Domain domain) {
        List<String> args = new ArrayList<>(List.of("--domain", domain.id()));
        if (domain == Domain.CREDIT) {
            args.addAll(List.of("--regime", ParameterAveragingTrainer.REGIME, "--epochs", Integer.toString(epochs)));
        } else {
            args.addAll(List.of("--regime", FederatedTrainer.REGIME, "--rounds", Integer.toString(rounds)));
        }
        DomainTraining t = new DomainTraining();
        new CommandLine(t).parseArgs(args.toArray(String[]::new));
        t.options.trainer(); // refuses what the regime does not use, as train does
        return t.options;
    }

    /** Holds the training options of one domain: {@link TrainOptions} is a mixin and reads its own parse result. */
    @Command(name = "pipeline-train")
    static final class DomainTraining {
        @Mixin
        TrainOptions options;
    }
}
