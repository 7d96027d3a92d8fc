package io.fedlake.features.store;

import io.fedlake.features.pointintime.TiePolicy;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;

/**
 * Entity rows with point-in-time features attached, and exactly what they were built from: each view's feature
 * table Delta version (read again with {@code VERSION AS OF} to reproduce the data) and definition version.
 *
 * @param data               the rows (lazy: nothing has run yet)
 * @param viewVersions       view name → Delta version of {@code features.<view>} read, in lookup order
 * @param definitionVersions view name → definition version
 * @param featureColumns     the feature columns added, in order
 * @param entitiesTable      entity table name if known (for provenance), else null
 * @param entitiesVersion    its Delta version if known, else null
 * @param timestampColumn    the entity event time column
 * @param tiePolicy          how exact-time ties were resolved
 */
public record TrainingSet(Dataset<Row> data, Map<String, Long> viewVersions, Map<String, Integer> definitionVersions,
                          List<String> featureColumns, String entitiesTable, Long entitiesVersion, String timestampColumn,
                          TiePolicy tiePolicy) {

    public TrainingSet {
        viewVersions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(viewVersions));
        definitionVersions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(definitionVersions));
        featureColumns = List.copyOf(featureColumns);
    }
}
