package io.fedlake.train.federated;

import java.util.Map;
import java.util.Set;

/** Checks on a checkpointed server state before a strategy restores it, so a wrong checkpoint fails with a clear line. */
final class StrategyState {

    private StrategyState() {
    }

    static void requireOnly(String strategy, Map<String, float[]> state, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (String k : state.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(strategy + " checkpoint has unknown state '" + k + "', expected only " + allowed);
            }
        }
    }
}
