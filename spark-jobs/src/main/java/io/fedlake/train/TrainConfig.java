package io.fedlake.train;

import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelHyperParams;

/**
 * Everything one training run needs, validated at construction (messages name the field).
 *
 * @param table              lake table to train on, e.g. {@code raw.credit}
 * @param architecture       model zoo name, e.g. {@code credit-mlp}
 * @param hyper              network hyper-parameters (carries the seed used for initialisation)
 * @param spec               label, key and feature columns
 * @param epochs             passes over the training split (≥ 1)
 * @param batchSize          examples per minibatch on each worker (≥ 1)
 * @param averagingFrequency minibatches each worker fits between parameter averages (≥ 1)
 * @param prefetchBatches    minibatches a worker prefetches asynchronously (≥ 0)
 * @param workers            parallel workers; 0 = Spark's default parallelism
 * @param holdoutFraction    fraction of rows held out for evaluation, in (0, 1)
 * @param seed               seed for the split, shuffling and initialisation
 * @param evalEvery          Fedlake regimes: evaluate the global model on the holdout every this many rounds/averaging
 *                           steps (0 = the regime's default: every epoch for paramavg, every round for fedavg)
 * @param checkpointEvery    Fedlake regimes: checkpoint every this many rounds/averaging steps (≥ 1)
 * @param regimeSettings     settings only the regime reads (e.g. federated averaging's); null when it has none
 * @param earlyStopping      stop on a validation split carved from the training split and keep the best round; null for
 *                           a fixed number of epochs/rounds evaluated on the holdout
 */
public record TrainConfig(String table, String architecture, ModelHyperParams hyper, DataSpec spec, int epochs, int batchSize,
                          int averagingFrequency, int prefetchBatches, int workers, double holdoutFraction, long seed,
                          int evalEvery, int checkpointEvery, RegimeSettings regimeSettings, EarlyStopping earlyStopping) {

    /** A configuration without early stopping. */
    public TrainConfig(String table, String architecture, ModelHyperParams hyper, DataSpec spec, int epochs, int batchSize,
                       int averagingFrequency, int prefetchBatches, int workers, double holdoutFraction, long seed,
                       int evalEvery, int checkpointEvery, RegimeSettings regimeSettings) {
        this(table, architecture, hyper, spec, epochs, batchSize, averagingFrequency, prefetchBatches, workers, holdoutFraction, seed, evalEvery,
                checkpointEvery, regimeSettings, null);
    }

    /** Parameter-averaging configuration with the regimes' default evaluation and a checkpoint every step. */
    public TrainConfig(String table, String architecture, ModelHyperParams hyper, DataSpec spec, int epochs, int batchSize,
                       int averagingFrequency, int prefetchBatches, int workers, double holdoutFraction, long seed) {
        this(table, architecture, hyper, spec, epochs, batchSize, averagingFrequency, prefetchBatches, workers, holdoutFraction, seed, 0, 1, null);
    }

    public TrainConfig {
        require(epochs >= 1, "epochs must be ≥ 1, got " + epochs);
        require(batchSize >= 1, "batch size must be ≥ 1, got " + batchSize);
        require(averagingFrequency >= 1, "averaging frequency must be ≥ 1, got " + averagingFrequency);
        require(prefetchBatches >= 0, "prefetch batches must be ≥ 0, got " + prefetchBatches);
        require(workers >= 0, "workers must be ≥ 0 (0 = default parallelism), got " + workers);
        require(holdoutFraction > 0 && holdoutFraction < 1, "holdout fraction must be in (0, 1), got " + holdoutFraction);
        require(evalEvery >= 0, "eval-every must be ≥ 0 (0 = regime default), got " + evalEvery);
        require(checkpointEvery >= 1, "checkpoint-every must be ≥ 1, got " + checkpointEvery);
    }

    /** The same run with other regime settings. */
    public TrainConfig withRegimeSettings(RegimeSettings regimeSettings) {
        return new TrainConfig(table, architecture, hyper, spec, epochs, batchSize, averagingFrequency, prefetchBatches, workers, holdoutFraction,
                seed, evalEvery, checkpointEvery, regimeSettings, earlyStopping);
    }

    /** The same run with other network hyper-parameters. */
    public TrainConfig withHyper(ModelHyperParams hyper) {
        return new TrainConfig(table, architecture, hyper, spec, epochs, batchSize, averagingFrequency, prefetchBatches, workers, holdoutFraction,
                seed, evalEvery, checkpointEvery, regimeSettings, earlyStopping);
    }

    /** The same run with {@code epochs} passes of minibatches of {@code batchSize}. */
    public TrainConfig withSize(int epochs, int batchSize) {
        return new TrainConfig(table, architecture, hyper, spec, epochs, batchSize, averagingFrequency, prefetchBatches, workers, holdoutFraction,
                seed, evalEvery, checkpointEvery, regimeSettings, earlyStopping);
    }

    /**
     * The regime's settings as the type the regime expects.
     *
     * @throws IllegalStateException when the configuration carries none of that type
     */
    public <T extends RegimeSettings> T settings(Class<T> type) {
        if (!type.isInstance(regimeSettings)) {
            throw new IllegalStateException("this training configuration has no " + type.getSimpleName() + " (got "
                    + (regimeSettings == null ? "none" : regimeSettings.getClass().getSimpleName()) + ")");
        }
        return type.cast(regimeSettings);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
