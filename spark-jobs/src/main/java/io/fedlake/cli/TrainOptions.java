package io.fedlake.cli;

import io.fedlake.train.Dl4jParameterAveragingTrainer;
import io.fedlake.train.TrainConfig;
import io.fedlake.train.Trainer;
import io.fedlake.translate.TabularSpec;
import io.fedlake.zoo.CreditMlp;
import io.fedlake.zoo.ModelHyperParams;
import picocli.CommandLine.Option;

import java.util.List;

/** Training options shared by {@code train} and {@code pipeline}. Column options default to the credit preset. */
public final class TrainOptions {

    @Option(names = "--regime", defaultValue = Dl4jParameterAveragingTrainer.REGIME, description = "Training regime: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}",
            completionCandidates = Regimes.class)
    String regime;

    @Option(names = "--model", defaultValue = CreditMlp.NAME, description = "Architecture from the model zoo. Default: ${DEFAULT-VALUE}")
    String architecture;

    @Option(names = "--name", description = "Registered model name. Default: the architecture's name")
    String name;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training split. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Examples per minibatch per worker. Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "Minibatches between parameter averages. Default: ${DEFAULT-VALUE}")
    int averagingFrequency;

    @Option(names = "--prefetch", defaultValue = "2", description = "Minibatches prefetched per worker. Default: ${DEFAULT-VALUE}")
    int prefetch;

    @Option(names = "--workers", defaultValue = "0", description = "Parallel workers; 0 = Spark default parallelism. Default: ${DEFAULT-VALUE}")
    int workers;

    @Option(names = "--holdout", defaultValue = "0.2", description = "Fraction held out for evaluation. Default: ${DEFAULT-VALUE}")
    double holdout;

    @Option(names = "--hidden", split = ",", defaultValue = "64,32", description = "Hidden layer widths. Default: ${DEFAULT-VALUE}")
    List<Integer> hidden;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout probability. Default: ${DEFAULT-VALUE}")
    double dropout;

    @Option(names = "--learning-rate", defaultValue = "0.005", description = "Adam learning rate. Default: ${DEFAULT-VALUE}")
    double learningRate;

    @Option(names = "--l2", defaultValue = "0.00001", description = "L2 weight penalty. Default: ${DEFAULT-VALUE}")
    double l2;

    @Option(names = "--label", description = "Label column (0/1). Default: the credit preset's defaulted_12m")
    String label;

    @Option(names = "--key", description = "Entity key column. Default: the credit preset's application_id")
    String key;

    @Option(names = "--numeric", split = ",", description = "Numeric feature columns. Default: the credit preset's")
    List<String> numeric;

    @Option(names = "--categorical", split = ",", description = "Categorical feature columns. Default: the credit preset's")
    List<String> categorical;

    TabularSpec spec() {
        TabularSpec preset = TabularSpec.credit();
        return new TabularSpec(label != null ? label : preset.label(), key != null ? key : preset.entityKey(), preset.clientKey(),
                numeric != null ? numeric : preset.numeric(), categorical != null ? categorical : preset.categorical());
    }

    TrainConfig config(String table, long seed) {
        return new TrainConfig(table, architecture, new ModelHyperParams(hidden, dropout, learningRate, l2, seed), spec(), epochs,
                batchSize, averagingFrequency, prefetch, workers, holdout, seed);
    }

    String modelName() {
        return name != null ? name : architecture;
    }

    Trainer trainer() {
        if (Dl4jParameterAveragingTrainer.REGIME.equals(regime)) {
            return new Dl4jParameterAveragingTrainer();
        }
        throw new IllegalArgumentException("unknown training regime '" + regime + "'; available: " + String.join(", ", new Regimes()));
    }

    /** Regimes this build can run. */
    static final class Regimes extends java.util.ArrayList<String> {
        Regimes() {
            super(List.of(Dl4jParameterAveragingTrainer.REGIME));
        }
    }
}
