package io.fedlake.cli;

import io.fedlake.generate.SyntheticData;
import io.fedlake.lake.Domain;
import io.fedlake.lake.Lake;
import io.fedlake.lake.RunIds;
import io.fedlake.registry.ModelFiles;
import io.fedlake.registry.ModelRegistry;
import io.fedlake.score.ScoringJob;
import io.fedlake.score.ScoringPresets;
import io.fedlake.train.HoldoutSplit;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingJob;
import io.fedlake.zoo.Architectures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The main job, end to end on the credit domain: generate {@code raw.credit} if absent, train, evaluate on the
 * holdout, save the model, score the holdout applications into {@code scores.credit} for the logical date.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Run the credit pipeline end to end: generate data if absent → train → evaluate → score the holdout into scores.credit.")
final class PipelineCommand extends SparkCommand {

    @Option(names = "--rows", defaultValue = "50000", description = "Rows to generate when raw.credit is absent. Default: ${DEFAULT-VALUE}")
    long rows;

    @Option(names = "--date", description = "Logical date of the scoring run (yyyy-MM-dd). Default: today (UTC)")
    String date;

    @Option(names = "--threshold", defaultValue = "0.2", description = "Probability at or above which the decision is decline. Default: ${DEFAULT-VALUE}")
    double threshold;

    @Option(names = "--score-batch-size", defaultValue = "4096", description = "Rows per forward pass when scoring. Default: ${DEFAULT-VALUE}")
    int scoreBatchSize;

    @Mixin
    TrainOptions options;

    private TrainConfig config;
    private Trainer trainer;
    private LocalDate logicalDate;

    @Override
    protected void validate() {
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be ≥ 1, got " + rows);
        }
        try {
            logicalDate = date == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(date);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--date must be yyyy-MM-dd, got '" + date + "'");
        }
        if (options.domain() != Domain.CREDIT) {
            throw new IllegalArgumentException("the pipeline runs the credit domain; train other domains with 'fedlake train --domain'");
        }
        Architectures.byName(options.architecture());
        trainer = options.trainer();
        config = options.config(Domain.CREDIT.rawTable(), global().seed);
    }

    @Override
    protected int run(Lake lake) {
        long t0 = System.nanoTime();
        String runId = RunIds.next();
        out.printf("fedlake pipeline: run %s, lake %s, master %s%n", runId, lake.root(), lake.spark().sparkContext().master());
        String table = Domain.CREDIT.rawTable();
        if (!lake.exists(table)) {
            int partitions = SyntheticData.defaultPartitions(Domain.CREDIT, rows, lake.spark().sparkContext().defaultParallelism());
            SyntheticData.Result g = SyntheticData.generate(lake, Domain.CREDIT, rows, partitions, global().seed, runId);
            out.printf("  data      generated %s: %,d rows in %.1f s (Delta version %d)%n", table, g.rows(), g.seconds(), g.version());
        } else {
            out.printf("  data      using existing %s (Delta version %d)%n", table, lake.version(table));
        }

        out.printf("  train     %s with %s, %d epoch(s), batch %d, averaging every %d%n", config.architecture(), trainer.regime(),
                config.epochs(), config.batchSize(), config.averagingFrequency());
        TrainingJob.Outcome trained = TrainingJob.run(lake, config, trainer, options.modelName(), runId, line -> out.println("            " + line));
        out.printf("            %,d training rows (Delta version %d), %,d rejected, %.1f s%n", trained.trainRows(), trained.inputVersion(),
                trained.rejectedRows(), trained.trainSeconds());
        out.printf("  evaluate  holdout %s%n", trained.holdout());

        ModelFiles.LoadedModel model = new ModelRegistry(lake).load(trained.model().name() + ":" + trained.model().version());
        Dataset<Row> at = lake.spark().read().format("delta").option("versionAsOf", trained.inputVersion()).load(lake.pathOf(table));
        Lake.Snapshot input = new Lake.Snapshot(table, lake.pathOf(table), trained.inputVersion(), at);
        Dataset<Row> holdout = at.where(HoldoutSplit.isHoldout(config.spec().entityKey(), config.seed(), config.holdoutFraction()));
        ScoringJob.Outcome scored = ScoringJob.run(lake, new ScoringJob.Request(Domain.CREDIT.id(), input, holdout,
                Domain.CREDIT.entityKey(), Domain.CREDIT.clientKey(), model, logicalDate, runId, scoreBatchSize, threshold,
                ScoringPresets.decisions(Domain.CREDIT), ScoringPresets.defaultReasonCodes(Domain.CREDIT), ScoringPresets.featureLabels(Domain.CREDIT)));
        out.printf("  score     %s for %s: %,d read = %,d scored + %,d quarantined, %.1f s%n", scored.scoresTable(), logicalDate,
                scored.input(), scored.scored(), scored.quarantined(), scored.seconds());
        out.printf("            → %s (Delta version %d)%n", scored.scoresPath(), scored.scoresVersion());
        out.printf("  model     %s:%s sha256 %s%n", trained.model().name(), trained.model().version(), trained.model().sha256());
        out.printf("            → %s%n", trained.model().uri());
        out.printf("rows read %,d | scored %,d | AUC %.4f | elapsed %.1f s | %s v%d%n", trained.trainRows() + trained.holdoutRows(),
                scored.scored(), trained.holdout().auc(), (System.nanoTime() - t0) / 1e9, scored.scoresPath(), scored.scoresVersion());
        return 0;
    }
}
