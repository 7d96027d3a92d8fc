package io.fedlake.features.pointintime;

/**
 * What an as-of lookup does with a feature value stamped at exactly the entity's event time.
 * <ul>
 *   <li>{@link #INCLUSIVE} (default, as in Feast and Databricks' point-in-time joins): the value counts — the feature
 *   is known at {@code t} when it is stamped {@code t}. Right when the feature row describes the same event (an
 *   application's own history up to and including itself) or when stamps mark when a value became available.</li>
 *   <li>{@link #EXCLUSIVE}: only values stamped strictly before the event count. Use it when a value stamped {@code t}
 *   may have been computed from the outcome of the event at {@code t}.</li>
 * </ul>
 */
public enum TiePolicy {
    INCLUSIVE, EXCLUSIVE;

    public static TiePolicy parse(String s) {
        for (TiePolicy p : values()) {
            if (p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("tie policy must be inclusive or exclusive, got '" + s + "'");
    }
}
