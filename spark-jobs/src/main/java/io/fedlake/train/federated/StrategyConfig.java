package io.fedlake.train.federated;

import java.io.Serializable;

/**
 * Validated choice of aggregation strategy and its hyper-parameters; {@link Strategies#create} builds the strategy.
 * Parameters a strategy does not use are ignored (but still validated, so a typo fails early).
 *
 * @param name               a registered strategy ({@link Strategies#names()})
 * @param clientFraction     fraction C of available clients sampled per round, in (0, 1]
 * @param minClients         minimum clients per round, ≥ 1
 * @param serverLearningRate server step size η, &gt; 0 (1 for plain FedAvg; FedAdam needs a tuned value, e.g. 0.01)
 * @param serverMomentum     FedAvgM's β, in [0, 1)
 * @param proximalMu         FedProx's μ, ≥ 0 (must be &gt; 0 for fedprox)
 * @param trimBeta           trimmed mean's β, in [0, 0.5)
 */
public record StrategyConfig(String name, double clientFraction, int minClients, double serverLearningRate,
                             double serverMomentum, double proximalMu, double trimBeta) implements Serializable {

    public StrategyConfig {
        if (name == null || !Strategies.names().contains(name)) {
            throw new IllegalArgumentException("strategy must be one of " + String.join(", ", Strategies.names()) + ", got " + name);
        }
        if (!(clientFraction > 0 && clientFraction <= 1)) {
            throw new IllegalArgumentException("clientFraction must be in (0, 1], got " + clientFraction);
        }
        if (minClients < 1) {
            throw new IllegalArgumentException("minClients must be ≥ 1, got " + minClients);
        }
        if (!(serverLearningRate > 0) || Double.isInfinite(serverLearningRate)) {
            throw new IllegalArgumentException("serverLearningRate must be a finite number > 0, got " + serverLearningRate);
        }
        if (!(serverMomentum >= 0 && serverMomentum < 1)) {
            throw new IllegalArgumentException("serverMomentum must be in [0, 1), got " + serverMomentum);
        }
        if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
            throw new IllegalArgumentException("proximalMu must be a finite number ≥ 0, got " + proximalMu);
        }
        if (Strategies.factory(name).defaultProximalMu() > 0 && proximalMu == 0) {
            throw new IllegalArgumentException("proximalMu must be > 0 for " + name + " (μ = 0 is plain fedavg)");
        }
        if (!(trimBeta >= 0 && trimBeta < 0.5)) {
            throw new IllegalArgumentException("trimBeta must be in [0, 0.5), got " + trimBeta);
        }
    }

    /**
     * Defaults for {@code name}: all clients every round, the strategy's own server learning rate and μ
     * ({@link StrategyFactory}), momentum 0.9 (Hsu et al. 2019), trim β = 0.1.
     *
     * @throws IllegalArgumentException naming the registered strategies when {@code name} is not one of them
     */
    public static StrategyConfig defaults(String name) {
        StrategyFactory f = Strategies.factory(name);
        return new StrategyConfig(name, 1.0, 1, f.defaultServerLearningRate(), 0.9, f.defaultProximalMu(), 0.1);
    }

    public StrategyConfig withSampling(double fraction, int min) {
        return new StrategyConfig(name, fraction, min, serverLearningRate, serverMomentum, proximalMu, trimBeta);
    }

    public StrategyConfig withServerLearningRate(double lr) {
        return new StrategyConfig(name, clientFraction, minClients, lr, serverMomentum, proximalMu, trimBeta);
    }

    public StrategyConfig withServerMomentum(double beta) {
        return new StrategyConfig(name, clientFraction, minClients, serverLearningRate, beta, proximalMu, trimBeta);
    }

    public StrategyConfig withProximalMu(double mu) {
        return new StrategyConfig(name, clientFraction, minClients, serverLearningRate, serverMomentum, mu, trimBeta);
    }

    public StrategyConfig withTrimBeta(double beta) {
        return new StrategyConfig(name, clientFraction, minClients, serverLearningRate, serverMomentum, proximalMu, beta);
    }

    public ClientSampling sampling() {
        return new ClientSampling(clientFraction, minClients);
    }
}
