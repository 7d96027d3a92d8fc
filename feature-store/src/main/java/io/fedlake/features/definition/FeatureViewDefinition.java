package io.fedlake.features.definition;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * A feature view: features of one entity computed from one source table, keyed by join keys and stamped with the
 * source's event time. Materialised into {@code features.<name>} with columns join keys, {@code event_ts},
 * {@code event_date} (partition) and one column per feature.
 *
 * @param name           view and table name (lower case, digits, underscores)
 * @param version        definition version, raised when the meaning of a feature changes; recorded in provenance
 * @param description    what the view is for
 * @param owner          who answers for it
 * @param entity         the entity the join keys identify (applicant, branch, patient, line)
 * @param joinKeys       columns of the source that identify the entity; an entity table must carry them to look up
 * @param source         source table, {@code schema.table}
 * @param eventTimestamp timestamp column of the source: when the feature value became known
 * @param filter         optional Spark SQL predicate on the source rows, or null
 * @param ttl            how old a value may be at lookup time before it is treated as missing
 * @param features       the features, in output order
 * @param file           the file the definition came from, for messages
 */
public record FeatureViewDefinition(String name, int version, String description, String owner, String entity,
                                    List<String> joinKeys, String source, String eventTimestamp, String filter,
                                    Duration ttl, List<FeatureDefinition> features, String file) implements Serializable {

    /** Column of the materialised table holding the event time. */
    public static final String EVENT_TS = "event_ts";
    /** Partition column of the materialised table: the event time's date. */
    public static final String EVENT_DATE = "event_date";

    public FeatureViewDefinition {
        joinKeys = List.copyOf(joinKeys);
        features = List.copyOf(features);
    }

    public String table() {
        return "features." + name;
    }

    public String quarantineTable() {
        return "quarantine.features_" + name;
    }

    public List<String> featureNames() {
        return features.stream().map(FeatureDefinition::name).toList();
    }

    public FeatureDefinition feature(String featureName) {
        return features.stream().filter(f -> f.name().equals(featureName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("view " + name + " has no feature '" + featureName + "'; it has " + featureNames()));
    }

    /** The longest window of any feature (zero without windows): how far before a range the source must be read. */
    public Duration lookback() {
        return features.stream().map(FeatureDefinition::window).filter(java.util.Objects::nonNull)
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
