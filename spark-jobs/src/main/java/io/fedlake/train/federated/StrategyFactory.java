package io.fedlake.train.federated;

import io.fedlake.core.Extension;

import java.util.List;

/**
 * The extension point for aggregation strategies: builds a {@link Strategy} from a validated
 * {@link StrategyConfig} and says what the strategy needs. Implementations are listed in
 * {@code META-INF/services/io.fedlake.train.federated.StrategyFactory} (each strategy class has a nested
 * {@code Factory}); {@link Strategies} looks them up by name.
 */
public interface StrategyFactory extends Extension {

    Strategy create(StrategyConfig config);

    /** The server learning rate η to use when none is given. */
    default double defaultServerLearningRate() {
        return 1.0;
    }

    /** The proximal μ to use when none is given; a strategy with a non-zero default refuses μ = 0. */
    default double defaultProximalMu() {
        return 0.0;
    }

    /** Command-line options that only this strategy reads (giving one with another strategy is a usage error). */
    default List<String> options() {
        return List.of();
    }

    /** Name and description held as fields, so a strategy's factory only says how to build it. */
    abstract class Base implements StrategyFactory {

        private final String name;
        private final String description;

        protected Base(String name, String description) {
            this.name = name;
            this.description = description;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final String description() {
            return description;
        }
    }
}
