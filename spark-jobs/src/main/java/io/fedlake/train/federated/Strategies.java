package io.fedlake.train.federated;

/** Builds the strategy a {@link StrategyConfig} names; the one place that maps names to classes. */
public final class Strategies {

    private Strategies() {
    }

    public static Strategy create(StrategyConfig config) {
        ClientSampling sampling = config.sampling();
        double lr = config.serverLearningRate();
        return switch (config.name()) {
            case "fedavg" -> new FedAvg(sampling, lr);
            case "fedavgm" -> new FedAvgM(sampling, lr, config.serverMomentum());
            case "fedadam" -> new FedAdam(sampling, lr);
            case "fedprox" -> new FedProx(sampling, lr, config.proximalMu());
            case "median" -> new FedMedian(sampling, lr);
            case "trimmed-mean" -> new FedTrimmedMean(sampling, lr, config.trimBeta());
            default -> throw new IllegalArgumentException("strategy must be one of " + String.join(", ", StrategyConfig.NAMES)
                    + ", got " + config.name());
        };
    }

    /** {@link StrategyConfig#defaults} for {@code name}, built; the error for an unknown name lists the available ones. */
    public static Strategy create(String name) {
        return create(StrategyConfig.defaults(name));
    }
}
