package io.fedlake.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MulticlassMetricsTest {

    @Test
    void macroF1IsTheUnweightedMeanOfThePerClassF1s() {
        // class 0: tp 5, fn 1, fp 2 → 10/13; class 1: tp 3, fn 2, fp 1 → 6/9; class 2: tp 0, fn 1, fp 1 → 0
        long[][] c = {{5, 1, 0}, {1, 3, 1}, {1, 0, 0}};

        assertEquals((10.0 / 13 + 6.0 / 9 + 0) / 3, MulticlassMetrics.macroF1(c), 1e-12);
    }

    @Test
    void aPerfectConfusionMatrixScoresOne() {
        assertEquals(1.0, MulticlassMetrics.macroF1(new long[][]{{4, 0}, {0, 7}}), 1e-12);
    }

    @Test
    void aClassNeitherInTheHoldoutNorPredictedDoesNotCount() {
        assertEquals(1.0, MulticlassMetrics.macroF1(new long[][]{{4, 0, 0}, {0, 7, 0}, {0, 0, 0}}), 1e-12);
    }
}
