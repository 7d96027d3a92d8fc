package io.fedlake.features.drift;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureDriftReportTest extends LocalSparkTest {

    private static Dataset<Row> values(int n, IntFunction<Double> value) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(value.apply(i)));
        }
        return spark.createDataFrame(rows, new StructType().add("x", DataTypes.DoubleType));
    }

    @Test
    void aHandCheckableShiftAcrossTheMedian() {
        // expected: 1..10, ten rows each → median edge 5 → bins (-∞,5], (5,∞), missing = 50, 50, 0
        Dataset<Row> expected = values(100, i -> (double) (i % 10 + 1));
        // actual: 75 rows at 3, 25 rows at 8 → 75, 25, 0
        Dataset<Row> actual = values(100, i -> i < 75 ? 3.0 : 8.0);

        DriftReport.FeatureDrift d = DriftReport.compute(expected, actual, List.of("x"), 2).get(0);

        assertEquals(3, d.bins());
        assertEquals(Psi.index(new long[]{50, 50, 0}, new long[]{75, 25, 0}), d.psi(), 1e-12);
        assertEquals(0.25 * Math.log(2) + 0.25 * Math.log(1.5), d.psi(), 1e-12);
        assertEquals("significant", d.band());
        assertEquals(100, d.expectedRows());
    }

    @Test
    void aShiftedPopulationIsSignificantAndAResampleIsStable() {
        Dataset<Row> expected = values(2000, i -> (double) (i / 2)); // 0..999, each twice
        Dataset<Row> resample = values(1000, i -> (double) i);
        Dataset<Row> shifted = values(1000, i -> i + 300.0);
        Dataset<Row> moreNulls = values(1000, i -> i % 5 == 0 ? null : (double) i);

        DriftReport.FeatureDrift same = DriftReport.compute(expected, resample, List.of("x"), 10).get(0);
        DriftReport.FeatureDrift moved = DriftReport.compute(expected, shifted, List.of("x"), 10).get(0);
        DriftReport.FeatureDrift nulls = DriftReport.compute(expected, moreNulls, List.of("x"), 10).get(0);

        assertEquals(11, same.bins(), "ten deciles and a missing-value bin");
        assertTrue(same.psi() < 0.01, "same distribution: " + same.psi());
        assertEquals("stable", same.band());
        assertTrue(moved.psi() >= 0.25, "shifted by 30 % of the range: " + moved.psi());
        assertEquals("significant", moved.band());
        assertTrue(nulls.psi() >= 0.1, "20 % missing where training had none: " + nulls.psi());
    }
}
