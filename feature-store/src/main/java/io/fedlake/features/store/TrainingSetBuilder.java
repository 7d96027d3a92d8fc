package io.fedlake.features.store;

import io.fedlake.features.definition.FeatureViewDefinition;
import io.fedlake.features.pointintime.AsOfJoin;
import io.fedlake.features.pointintime.TiePolicy;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds point-in-time correct training (or scoring) sets through the store: entity rows with an event time, plus
 * the features of one or more views as they were known at that time (see {@link AsOfJoin}). Each view is read at one
 * Delta version — the latest unless pinned with {@link #asOf} — and the versions come back with the data, so
 * training can record them and scoring or an audit can rebuild the same rows later:
 * <pre>{@code
 * TrainingSet ts = new TrainingSetBuilder(store)
 *         .entities(applications, "application_ts", "raw.credit", 7L)
 *         .views(List.of("credit_branch_activity", "credit_applicant_history"))
 *         .build();
 * // later, identical rows even after the views were rematerialised:
 * new TrainingSetBuilder(store).entities(applications, "application_ts").views(...).asOf(ts.viewVersions()).build();
 * }</pre>
 */
public final class TrainingSetBuilder {

    private final FeatureStore store;
    private Dataset<Row> entities;
    private String timestampColumn;
    private String entitiesTable;
    private Long entitiesVersion;
    private final List<String> views = new ArrayList<>();
    private final Map<String, Long> pinned = new LinkedHashMap<>();
    private TiePolicy tie = TiePolicy.INCLUSIVE;

    public TrainingSetBuilder(FeatureStore store) {
        this.store = store;
    }

    public TrainingSetBuilder entities(Dataset<Row> rows, String timestampColumn) {
        return entities(rows, timestampColumn, null, null);
    }

    /** Entity rows read from a lake table at a version, recorded as provenance. */
    public TrainingSetBuilder entities(Dataset<Row> rows, String timestampColumn, String table, Long version) {
        this.entities = rows;
        this.timestampColumn = timestampColumn;
        this.entitiesTable = table;
        this.entitiesVersion = version;
        return this;
    }

    public TrainingSetBuilder views(List<String> names) {
        views.addAll(names);
        return this;
    }

    /** Read these views at these Delta versions instead of the latest (e.g. a training set's recorded versions). */
    public TrainingSetBuilder asOf(Map<String, Long> versions) {
        pinned.putAll(versions);
        return this;
    }

    public TrainingSetBuilder tiePolicy(TiePolicy policy) {
        this.tie = policy;
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the problem: no entities or views, a view twice, entity columns missing
     *                                  (join keys, timestamp), or a feature name taken by an entity column or another view
     */
    public TrainingSet build() {
        if (entities == null) {
            throw new IllegalArgumentException("no entity rows: call entities(rows, timestampColumn) first");
        }
        if (views.isEmpty()) {
            throw new IllegalArgumentException("no feature views given");
        }
        Set<String> distinct = new LinkedHashSet<>(views);
        if (distinct.size() != views.size()) {
            throw new IllegalArgumentException("a view is listed twice: " + views);
        }
        List<String> columns = List.of(entities.columns());
        if (!columns.contains(timestampColumn)) {
            throw new IllegalArgumentException("entity rows lack the timestamp column '" + timestampColumn + "'; they have " + columns);
        }
        Set<String> taken = new LinkedHashSet<>(columns);
        Map<String, Long> versions = new LinkedHashMap<>();
        Map<String, Integer> definitionVersions = new LinkedHashMap<>();
        List<String> featureColumns = new ArrayList<>();
        Dataset<Row> out = entities;
        for (String name : views) {
            FeatureViewDefinition d = store.view(name);
            List<String> missing = d.joinKeys().stream().filter(k -> !columns.contains(k)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("entity rows lack join key(s) " + missing + " of view " + name + "; they have " + columns);
            }
            for (String f : d.featureNames()) {
                if (!taken.add(f)) {
                    throw new IllegalArgumentException("feature '" + f + "' of view " + name + " clashes with an entity column or a feature of an earlier view");
                }
            }
            FeatureStore.Snapshot snap = store.readView(name, pinned.get(name));
            out = AsOfJoin.join(out, timestampColumn, snap.data(), FeatureViewDefinition.EVENT_TS, d.joinKeys(), d.featureNames(), d.ttl(), tie);
            versions.put(name, snap.version());
            definitionVersions.put(name, d.version());
            featureColumns.addAll(d.featureNames());
        }
        return new TrainingSet(out, versions, definitionVersions, featureColumns, entitiesTable, entitiesVersion, timestampColumn, tie);
    }
}
