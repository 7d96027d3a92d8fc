package io.fedlake.features.definition;

import java.io.Serializable;

/**
 * What a feature's values must satisfy in each materialised date range, and what happens when they do not.
 *
 * @param min         smallest allowed value (inclusive), or null for no lower bound
 * @param max         largest allowed value (inclusive), or null for no upper bound
 * @param maxNullRate largest allowed fraction of null values over the materialised range, or null for no limit
 * @param action      {@link Action#FAIL}: the job fails and writes nothing; {@link Action#QUARANTINE}: offending rows go to
 *                    {@code quarantine.features_<view>} with the reason and the rest is written
 */
public record ValidationRule(Double min, Double max, Double maxNullRate, Action action) implements Serializable {

    public enum Action {
        FAIL, QUARANTINE;

        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean hasRange() {
        return min != null || max != null;
    }

    /** {@code [0.0, 500.0]}, with an open side written as -∞ or ∞. */
    public String rangeText() {
        return "[" + (min == null ? "-∞" : min) + ", " + (max == null ? "∞" : max) + "]";
    }
}
