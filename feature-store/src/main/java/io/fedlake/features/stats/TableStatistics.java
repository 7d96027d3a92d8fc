package io.fedlake.features.stats;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** Statistics of the feature columns of one table snapshot, in the order the columns were requested. */
public record TableStatistics(long rowCount, Map<String, ColumnStatistics> columns) implements Serializable {

    public TableStatistics {
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** @throws IllegalArgumentException naming the column when no statistics were computed for it */
    public ColumnStatistics column(String name) {
        ColumnStatistics c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no statistics for column '" + name + "'; have " + columns.keySet());
        }
        return c;
    }
}
