package io.fedlake.cli;

import io.fedlake.lake.Lake;
import io.fedlake.lake.TableRoles;
import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.core.RunIds;
import io.fedlake.train.EarlyStopping;
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

    @Option(names = "--no-baseline", description = "Skip the baseline: MLlib's logistic (or, for --task regression, linear) regression on the same features and split, "
            + "fitted beside the network and recorded with it")
    boolean noBaseline;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Continue an interrupted paramavg/fedavg run from its latest checkpoint")
    String resume;

    @Option(names = "--patience", paramLabel = "N", description = "Early stopping: stop after N evaluations (epochs, or rounds for fedavg) "
            + "without improvement on the validation rows, and keep the best. Default: 5")
    Integer patience;

    @Option(names = "--validation-fraction", paramLabel = "F", description = "Early stopping: share of the training split held out as "
            + "validation rows (never the holdout). Default: 0.1")
    Double validationFraction;

    @Option(names = "--no-early-stopping", description = "Train the given epochs/rounds to the end, evaluating each on the holdout")
    boolean noEarlyStopping;

    private TrainConfig config;
    private Trainer trainer;
    private EarlyStopping stopping;

    /**
     * Early stopping unless {@code --no-early-stopping}, or {@code --target-auc} (which stops on the holdout, so the
     * rounds must be evaluated there); its options with either of those are a usage error.
     */
    private EarlyStopping earlyStopping(java.util.List<String> given) {
        java.util.List<String> own = given.stream().filter(o -> o.equals("--patience") || o.equals("--validation-fraction")).toList();
        String off = noEarlyStopping ? "--no-early-stopping" : given.contains("--target-auc") ? "--target-auc" : null;
        if (off != null) {
            if (!own.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", own) + " set(s) early stopping, which " + off + " turns off");
            }
            return null;
        }
        return new EarlyStopping(patience != null ? patience : EarlyStopping.DEFAULT.patience(),
                validationFraction != null ? validationFraction : EarlyStopping.DEFAULT.validationFraction());
    }

    /**
     * What the run sizes to its table: the options not given that the regime reads; the epochs and rounds only under
     * early stopping (which ends them when the model stops improving), the network unless --hidden or --dropout is given.
     */
    private TrainingJob.RunOptions runOptions() {
        java.util.List<String> given = options.given();
        java.util.Set<String> sized = new java.util.HashSet<>();
        for (String o : java.util.List.of("--epochs", "--batch-size", "--rounds", "--local-batch")) {
            java.util.List<String> regimes = TrainOptions.REGIMES_OF.get(o);
            boolean applies = regimes == null || regimes.contains(trainer.regime());
            boolean budget = o.equals("--epochs") || o.equals("--rounds");
            if (applies && !given.contains(o) && (!budget || stopping != null)) {
                sized.add(o);
            }
        }
        if (!given.contains("--hidden") && !given.contains("--dropout")) {
            sized.add("--hidden");
        }
        return new TrainingJob.RunOptions(resume != null, !noBaseline, sized);
    }

    @Override
    protected void validate() {
        if (options.architecture != null) {
            Architectures.byName(options.architecture);
        }
        options.checkTableOptions(table);
        trainer = options.trainer();
        stopping = earlyStopping(options.given());
        config = options.config(table, global().seed, stopping);
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
            TrainOptions.TableSpec own = options.useTable(table, lake.readLatest(table, "").data(), TableRoles.of(lake, table));
            if (own != null) {
                config = options.config(table, global().seed, stopping);
                DataSpec s = own.spec();
                ModelSpec.Output label = s.outputs().get(0);
                out.printf("table %s: key %s, label %s (%s), %s numeric %s, categorical %s%s%s%n", table, s.entityKey(), label.column(),
                        label.regression() ? "regression" : label.binary() ? "binary, positive " + label.classes().get(1)
                                : label.classes().size() + " classes " + label.classes(),
                        own.featuresInferred() ? "features (every other column)" : "features", s.numeric(), s.categorical(),
                        s.imageColumn() == null ? "" : ", image " + s.imageColumn() + (own.imageSize() == null ? "" : " " + own.imageSize()),
                        own.skipped().isEmpty() ? "" : "; skipped " + own.skipped());
            }
        } else if (table != null) {
            lake.requireExists(table, "ingest it first with 'fedlake ingest'");
        }
        Architectures.byName(config.architecture());
        String runId = resume != null ? resume : RunIds.next();
        out.printf("training %s on %s with %s (run %s)%n", config.architecture(), config.table(), trainer.regime(), runId);
        TrainingJob.Outcome o = TrainingJob.run(lake, config, trainer, options.modelName(), runId, runOptions(), line -> out.println("  " + line));
        out.printf("trained on %,d rows (Delta version %d) in %.1f s; %,d rows rejected%n", o.trainRows(), o.inputVersion(),
                o.trainSeconds(), o.rejectedRows());
        if (o.holdout() != null) {
            out.printf("holdout: %s%n", o.holdout());
        }
        if (o.metrics().containsKey("holdout_rmse")) {
            out.printf("holdout: RMSE %.4g  MAE %.4g  R² %.4f%n", o.metrics().get("holdout_rmse"), o.metrics().get("holdout_mae"), o.metrics().get("holdout_r2"));
        }
        o.metrics().forEach((k, v) -> {
            if (k.startsWith("holdout_p_")) {
                out.printf("  %s %.4f%n", k, v);
            }
        });
        o.confusion().forEach((output, c) -> {
            out.printf("  holdout confusion matrix of %s (rows: true class, columns: predicted)%n", output);
            int width = Math.max(6, c.classes().stream().mapToInt(String::length).max().orElse(1) + 1);
            String cell = " %" + width + "s";
            StringBuilder header = new StringBuilder("    ").append(String.format("%" + width + "s", ""));
            c.classes().forEach(name -> header.append(String.format(cell, name)));
            out.println(header.toString());
            for (int t = 0; t < c.classes().size(); t++) {
                StringBuilder line = new StringBuilder("    ").append(String.format("%" + width + "s", c.classes().get(t)));
                for (long n : c.counts()[t]) {
                    line.append(String.format(cell, n));
                }
                out.println(line.toString());
            }
        });
        if (o.metrics().containsKey("baseline_auc")) {
            out.printf("baseline (MLlib logistic regression, same features and split): AUC %.4f  accuracy %.4f  log loss %.4f%n",
                    o.metrics().get("baseline_auc"), o.metrics().get("baseline_accuracy"), o.metrics().get("baseline_log_loss"));
        }
        if (o.metrics().containsKey("baseline_rmse")) {
            out.printf("baseline (MLlib linear regression, same features and split): RMSE %.4g  MAE %.4g  R² %.4f%n",
                    o.metrics().get("baseline_rmse"), o.metrics().get("baseline_mae"), o.metrics().get("baseline_r2"));
        }
        o.metrics().forEach((k, v) -> {
            if (k.startsWith("baseline_p_")) {
                out.printf("  %s %.4f%n", k, v);
            }
        });
        out.printf("model %s:%s → %s (sha256 %s)%n", o.model().name(), o.model().version(), o.model().uri(), o.model().sha256());
        return 0;
    }
}
