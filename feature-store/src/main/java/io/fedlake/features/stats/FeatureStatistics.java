package io.fedlake.features.stats;

import io.fedlake.features.stats.ColumnStatistics.ValueCount;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.when;

/**
 * Computes per-column statistics on Spark (one aggregation pass for all numeric columns, one small group-by per
 * categorical column for its most frequent values) and stores them in Delta, so that fitted preprocessing, data
 * validation and drift reports all start from the same numbers. Nothing but the summaries reaches the driver.
 */
public final class FeatureStatistics {

    private FeatureStatistics() {
    }

    /**
     * @param topK how many most-frequent values to keep per categorical column (≥ 1)
     * @throws IllegalArgumentException naming the column when a column is absent or a numeric column is not numeric
     */
    public static TableStatistics compute(Dataset<Row> table, List<String> numeric, List<String> categorical, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be ≥ 1, got " + topK);
        }
        StructType schema = table.schema();
        for (String c : numeric) {
            StructField f = field(schema, c);
            if (!(f.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("column '" + c + "' must be numeric, it is " + f.dataType().simpleString());
            }
        }
        categorical.forEach(c -> field(schema, c));

        List<Column> aggs = new ArrayList<>();
        aggs.add(count(lit(1)).as("__rows"));
        for (String c : numeric) {
            Column usable = when(col(c).isNotNull().and(isnan(col(c).cast("double")).unary_$bang()), col(c).cast("double"));
            aggs.add(count(usable).as(c + "__count"));
            aggs.add(mean(usable).as(c + "__mean"));
            aggs.add(stddev_samp(usable).as(c + "__std"));
            aggs.add(min(usable).as(c + "__min"));
            aggs.add(max(usable).as(c + "__max"));
            aggs.add(approx_count_distinct(usable).as(c + "__distinct"));
        }
        for (String c : categorical) {
            aggs.add(count(col(c)).as(c + "__count"));
            aggs.add(approx_count_distinct(col(c)).as(c + "__distinct"));
        }
        Row r = table.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).head();
        long rows = r.getLong(r.fieldIndex("__rows"));

        Map<String, ColumnStatistics> out = new LinkedHashMap<>();
        for (String c : numeric) {
            long n = r.getLong(r.fieldIndex(c + "__count"));
            out.put(c, new ColumnStatistics(c, ColumnStatistics.NUMERIC, n, rows - n,
                    nullable(r, c + "__mean"), nullable(r, c + "__std"), nullable(r, c + "__min"), nullable(r, c + "__max"),
                    r.getLong(r.fieldIndex(c + "__distinct")), List.of()));
        }
        for (String c : categorical) {
            long n = r.getLong(r.fieldIndex(c + "__count"));
            List<ValueCount> top = new ArrayList<>();
            for (Row v : table.where(col(c).isNotNull()).groupBy(col(c).cast("string").as("v")).count()
                    .orderBy(desc("count"), col("v")).limit(topK).collectAsList()) {
                top.add(new ValueCount(v.getString(0), v.getLong(1)));
            }
            out.put(c, new ColumnStatistics(c, ColumnStatistics.CATEGORICAL, n, rows - n, null, null, null, null,
                    r.getLong(r.fieldIndex(c + "__distinct")), top));
        }
        return new TableStatistics(rows, out);
    }

    private static StructField field(StructType schema, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("column '" + name + "' is not in the table; it has " + List.of(schema.fieldNames()));
    }

    private static Double nullable(Row r, String name) {
        int i = r.fieldIndex(name);
        return r.isNullAt(i) ? null : r.getDouble(i);
    }

    /** Schema of the Delta statistics table: one row per (run, column). */
    public static final StructType DELTA_SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("source_table", DataTypes.StringType, false)
            .add("source_version", DataTypes.LongType, false)
            .add("column", DataTypes.StringType, false)
            .add("kind", DataTypes.StringType, false)
            .add("row_count", DataTypes.LongType, false)
            .add("count", DataTypes.LongType, false)
            .add("missing", DataTypes.LongType, false)
            .add("mean", DataTypes.DoubleType, true)
            .add("stddev", DataTypes.DoubleType, true)
            .add("min", DataTypes.DoubleType, true)
            .add("max", DataTypes.DoubleType, true)
            .add("approx_distinct", DataTypes.LongType, false)
            .add("top_values", DataTypes.createArrayType(new StructType()
                    .add("value", DataTypes.StringType).add("count", DataTypes.LongType)), false)
            .add("computed_at", DataTypes.TimestampType, false);

    /** Appends {@code stats} to the Delta table at {@code path}, tagging the commit with the run id. */
    public static void append(SparkSession spark, TableStatistics stats, String path, String runId,
                              String sourceTable, long sourceVersion) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (ColumnStatistics c : stats.columns().values()) {
            List<Row> top = c.topValues().stream().map(v -> RowFactory.create(v.value(), v.count())).toList();
            rows.add(RowFactory.create(runId, sourceTable, sourceVersion, c.column(), c.kind(), stats.rowCount(), c.count(),
                    c.missing(), c.mean(), c.stddev(), c.min(), c.max(), c.approxDistinct(),
                    top, now));
        }
        spark.createDataFrame(rows, DELTA_SCHEMA).write().format("delta").mode("append")
                .option("userMetadata", runId).save(path);
    }
}
