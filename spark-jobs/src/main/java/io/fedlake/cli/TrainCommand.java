package io.fedlake.cli;

import io.fedlake.lake.Lake;
import io.fedlake.core.RunIds;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.train.TrainingJob;
import io.fedlake.zoo.Architectures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on a lake table, evaluate it on a deterministic holdout split and save it under models/.")
final class TrainCommand extends SparkCommand {

    @Option(names = "--table", description = "Training table. Default: the domain's raw table (raw.credit, raw.imaging, raw.defect)")
    String table;

    @Mixin
    TrainOptions options;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Continue an interrupted paramavg/fedavg run from its latest checkpoint")
    String resume;

    private TrainConfig config;
    private Trainer trainer;

    @Override
    protected void validate() {
        Architectures.byName(options.architecture());
        trainer = options.trainer();
        config = options.config(table, global().seed);
        if (resume != null) {
            if (!resume.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--resume takes a run id (letters, digits, . _ -), got '" + resume + "'");
            }
            if (io.fedlake.train.Dl4jParameterAveragingTrainer.REGIME.equals(trainer.regime())) {
                throw new IllegalArgumentException("--resume needs --regime paramavg or fedavg (dl4j-paramavg keeps no checkpoints)");
            }
        }
    }

    @Override
    protected int run(Lake lake) {
        if (table != null && lake.exists(table)) {
            java.util.List<String> skipped = options.inferFeatures(table, lake.readLatest(table, "").data().schema());
            if (skipped != null) {
                config = options.config(table, global().seed);
                out.printf("features of %s (every column except key, client and label): numeric %s, categorical %s%s%s%n", table,
                        config.spec().numeric(), config.spec().categorical(),
                        config.spec().imageColumn() == null ? "" : ", image " + config.spec().imageColumn(),
                        skipped.isEmpty() ? "" : "; skipped " + skipped);
            }
        }
        String runId = resume != null ? resume : RunIds.next();
        out.printf("training %s on %s with %s (run %s)%n", config.architecture(), config.table(), trainer.regime(), runId);
        TrainingJob.Outcome o = TrainingJob.run(lake, config, trainer, options.modelName(), runId, resume != null, line -> out.println("  " + line));
        out.printf("trained on %,d rows (Delta version %d) in %.1f s; %,d rows rejected%n", o.trainRows(), o.inputVersion(),
                o.trainSeconds(), o.rejectedRows());
        if (o.holdout() != null) {
            out.printf("holdout: %s%n", o.holdout());
        }
        o.metrics().forEach((k, v) -> {
            if (k.startsWith("holdout_p_")) {
                out.printf("  %s %.4f%n", k, v);
            }
        });
        out.printf("model %s:%s → %s (sha256 %s)%n", o.model().name(), o.model().version(), o.model().uri(), o.model().sha256());
        return 0;
    }
}
