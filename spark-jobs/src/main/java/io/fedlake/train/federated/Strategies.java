package io.fedlake.train.federated;

import io.fedlake.core.Extensions;

import java.util.List;

/** The registered aggregation strategies (see {@link StrategyFactory}), by name. */
public final class Strategies {

    private static final Extensions<StrategyFactory> REGISTERED = Extensions.load(StrategyFactory.class, "strategy");

    private Strategies() {
    }

    /** Names of the registered strategies, sorted. */
    public static List<String> names() {
        return REGISTERED.names();
    }

    /** @throws IllegalArgumentException naming the registered strategies when {@code name} is not one of them */
    public static StrategyFactory factory(String name) {
        return REGISTERED.get(name);
    }

    public static Strategy create(StrategyConfig config) {
        return factory(config.name()).create(config);
    }

    /** {@link StrategyConfig#defaults} for {@code name}, built; the error for an unknown name lists the available ones. */
    public static Strategy create(String name) {
        return create(StrategyConfig.defaults(name));
    }
}
