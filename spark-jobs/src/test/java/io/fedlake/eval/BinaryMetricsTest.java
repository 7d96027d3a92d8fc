package io.fedlake.eval;

import io.fedlake.testing.LocalSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BinaryMetricsTest extends LocalSparkTest {

    private static final StructType SCHEMA = new StructType().add("y", DataTypes.IntegerType).add("p", DataTypes.DoubleType);

    private Dataset<Row> frame(int[] y, Double[] p) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            rows.add(RowFactory.create(y[i], p[i]));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    @Test
    void tinyExampleMatchesHandComputedValues() {
        // positives 0.9, 0.4; negatives 0.6, 0.1: pairs ranked right 3 of 4 → AUC 0.75
        BinaryMetrics m = BinaryMetrics.compute(frame(new int[]{1, 1, 0, 0, 1}, new Double[]{0.9, 0.4, 0.6, 0.1, null}), "y", "p", 0.5);

        assertEquals(4, m.rows());
        assertEquals(0.75, m.auc(), 1e-12);
        assertEquals(0.5, m.accuracy(), 1e-12);
        double expectedLogLoss = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.9)) / 4;
        assertEquals(expectedLogLoss, m.logLoss(), 1e-12);
        assertEquals(0.5, m.positiveRate(), 1e-12);
    }

    @Test
    void aucEqualsThePairwiseDefinitionOnRandomScoresWithTies() {
        Random r = new Random(3);
        int n = 300;
        int[] y = new int[n];
        Double[] p = new Double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(4) == 0 ? 1 : 0;
            p[i] = Math.round((r.nextDouble() + 0.3 * y[i]) * 20) / 20.0; // coarse: many ties
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += p[i] > p[j] ? 1 : p[i].equals(p[j]) ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, BinaryMetrics.compute(frame(y, p), "y", "p", 0.5).auc(), 1e-9);
    }

    @Test
    void noScoredRowsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> BinaryMetrics.compute(frame(new int[]{1}, new Double[]{null}), "y", "p", 0.5));
    }
}
