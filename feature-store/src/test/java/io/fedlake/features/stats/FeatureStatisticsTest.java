package io.fedlake.features.stats;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureStatisticsTest extends LocalSparkTest {

    private Dataset<Row> table() {
        StructType schema = new StructType().add("x", DataTypes.DoubleType).add("k", DataTypes.StringType).add("s", DataTypes.StringType);
        return spark.createDataFrame(List.of(
                RowFactory.create(1.0, "a", "t"), RowFactory.create(2.0, "b", "t"), RowFactory.create(3.0, "a", "t"),
                RowFactory.create(null, "a", "t"), RowFactory.create(Double.NaN, null, "t")), schema);
    }

    @Test
    void numericStatisticsIgnoreNullAndNaNAndCountThemAsMissing() {
        TableStatistics s = FeatureStatistics.compute(table(), List.of("x"), List.of("k"), 5);

        ColumnStatistics x = s.column("x");
        assertEquals(5, s.rowCount());
        assertEquals(3, x.count());
        assertEquals(2, x.missing());
        assertEquals(2.0, x.mean(), 1e-12);
        assertEquals(1.0, x.stddev(), 1e-12);
        assertEquals(1.0, x.min());
        assertEquals(3.0, x.max());
        assertEquals(0.4, x.missingRate(), 1e-12);
    }

    @Test
    void categoricalTopValuesAreOrderedByFrequencyThenValue() {
        ColumnStatistics k = FeatureStatistics.compute(table(), List.of(), List.of("k"), 1).column("k");

        assertEquals(4, k.count());
        assertEquals(1, k.missing());
        assertEquals(List.of(new ColumnStatistics.ValueCount("a", 3)), k.topValues());
    }

    @Test
    void badColumnsAreNamed() {
        IllegalArgumentException notNumeric = assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.compute(table(), List.of("s"), List.of(), 3));
        assertEquals("column 's' must be numeric, it is string", notNumeric.getMessage());
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.compute(table(), List.of(), List.of("nope"), 3));
        assertTrue(absent.getMessage().startsWith("column 'nope' is not in the table"), absent.getMessage());
    }

    @Test
    void statisticsRoundTripThroughDelta() {
        TableStatistics s = FeatureStatistics.compute(table(), List.of("x"), List.of("k"), 5);
        String path = tmp.resolve("stats").toString();

        FeatureStatistics.append(spark, s, path, "run-1", "raw.t", 3L);
        FeatureStatistics.append(spark, s, path, "run-2", "raw.t", 4L);

        Dataset<Row> back = spark.read().format("delta").load(path);
        assertEquals(4, back.count());
        Row k = back.where("run_id = 'run-2' AND column = 'k'").head();
        assertEquals(4L, k.getLong(k.fieldIndex("source_version")));
        assertEquals(2, k.getList(k.fieldIndex("top_values")).size());
    }
}
