package io.fedlake.features.stats;

import java.io.Serializable;
import java.util.List;

/**
 * Summary of one feature column over a table snapshot.
 *
 * @param column         column name
 * @param kind           {@code numeric} or {@code categorical}
 * @param count          rows with a usable value (not null, and for numeric columns not NaN)
 * @param missing        rows whose value is null (or NaN for numeric columns)
 * @param mean           numeric mean over usable values; null for categorical columns or when count is 0
 * @param stddev         sample standard deviation; null as for mean
 * @param min            smallest numeric value; null as for mean
 * @param max            largest numeric value; null as for mean
 * @param approxDistinct HyperLogLog++ estimate of distinct values (relative error 5 %)
 * @param topValues      for categorical columns the most frequent values, most frequent first; empty otherwise
 */
public record ColumnStatistics(String column, String kind, long count, long missing, Double mean, Double stddev,
                               Double min, Double max, long approxDistinct, List<ValueCount> topValues)
        implements Serializable {

    public static final String NUMERIC = "numeric";
    public static final String CATEGORICAL = "categorical";

    public ColumnStatistics {
        topValues = List.copyOf(topValues);
    }

    /** Fraction of rows with no usable value. */
    public double missingRate() {
        long total = count + missing;
        return total == 0 ? 0.0 : (double) missing / total;
    }

    /** A categorical value and how many rows carry it. */
    public record ValueCount(String value, long count) implements Serializable {
    }
}
