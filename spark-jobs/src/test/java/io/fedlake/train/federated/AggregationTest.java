package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregationTest {

    @Test
    void medianTakesTheMiddleValueOfEachCoordinate() {
        // Prepare: columns {1,3,2} and {10,20,30}
        float[][] rows = {{1, 10}, {3, 20}, {2, 30}};
        // Execute
        float[] median = Aggregation.coordinateMedian(rows);
        // Assert
        assertArrayEquals(new float[] {2, 20}, median);
    }

    @Test
    void medianOfAnEvenCountAveragesTheTwoMiddleValues() {
        float[][] rows = {{1}, {4}, {2}, {10}};
        // sorted 1, 2, 4, 10 → (2 + 4) / 2
        assertArrayEquals(new float[] {3}, Aggregation.coordinateMedian(rows));
    }

    @Test
    void trimmedMeanDropsFloorBetaTimesMFromEachSide() {
        float[][] rows = {{4}, {100}, {1}, {3}, {2}};
        // β = 0.2, m = 5 → drop 1 each side of 1,2,3,4,100 → (2 + 3 + 4) / 3
        assertArrayEquals(new float[] {3}, Aggregation.trimmedMean(rows, 0.2));
        assertEquals(1, Aggregation.trimCount(5, 0.2));
        assertEquals(2, Aggregation.trimCount(10, 0.25));
        assertEquals(0, Aggregation.trimCount(3, 0.3));
    }

    @Test
    void trimmedMeanWithZeroBetaIsThePlainMean() {
        float[][] rows = {{1, -2}, {2, 4}, {6, 1}};
        assertArrayEquals(new float[] {3, 1}, Aggregation.trimmedMean(rows, 0.0), 1e-6f);
    }

    @Test
    void oneByzantineClientPullsTheMeanButNotTheMedianOrTrimmedMean() {
        // Prepare: four honest clients near (1, −1) and one attacker sending (1000, 1000), all with 10 examples
        float[][] rows = {{1f, -1f}, {1.2f, -0.8f}, {0.8f, -1.2f}, {1f, -1f}, {1000f, 1000f}};
        List<ClientUpdate> updates = List.of(
                new ClientUpdate("a", rows[0], 10, 0, 1), new ClientUpdate("b", rows[1], 10, 0, 1),
                new ClientUpdate("c", rows[2], 10, 0, 1), new ClientUpdate("d", rows[3], 10, 0, 1),
                new ClientUpdate("evil", rows[4], 10, 0, 1));
        // Execute
        float[] mean = Aggregation.weightedMeanDelta(updates);
        float[] median = Aggregation.coordinateMedian(rows);
        float[] trimmed = Aggregation.trimmedMean(rows, 0.2);
        // Assert: mean x = (1 + 1.2 + 0.8 + 1 + 1000) / 5 = 200.8, y = (−4 + 1000) / 5 = 199.2
        assertArrayEquals(new float[] {200.8f, 199.2f}, mean, 1e-4f);
        // median: sorted x 0.8, 1, 1, 1.2, 1000 → 1; y −1.2, −1, −1, −0.8, 1000 → −1
        assertArrayEquals(new float[] {1f, -1f}, median, 1e-6f);
        // trimmed (drop 1 per side): x (1 + 1 + 1.2) / 3, y (−1 − 1 − 0.8) / 3
        assertArrayEquals(new float[] {3.2f / 3, -2.8f / 3}, trimmed, 1e-6f);
    }

    @Test
    void l2NormAndClipping() {
        float[] v = {3, 4};
        assertEquals(5.0, Aggregation.l2Norm(v), 1e-12);
        // norm 5 > 1 → scale by 1/5
        assertArrayEquals(new float[] {0.6f, 0.8f}, Aggregation.clipToNorm(v, 1.0), 1e-7f);
        assertArrayEquals(new float[] {3, 4}, v, "clipping must not modify its input");
        // already inside the ball: returned unchanged
        assertSame(v, Aggregation.clipToNorm(v, 10.0));
        assertSame(v, Aggregation.clipToNorm(v, 5.0));
    }

    @Test
    void badInputIsRejectedWithAMessageNamingTheProblem() {
        IllegalArgumentException beta = assertThrows(IllegalArgumentException.class,
                () -> Aggregation.trimmedMean(new float[][] {{1}}, 0.5));
        assertTrue(beta.getMessage().contains("trim beta"), beta.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Aggregation.coordinateMedian(new float[0][]));
        assertTrue(empty.getMessage().contains("at least one"), empty.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> Aggregation.coordinateMedian(new float[][] {{1, 2}, {3}}));
        assertTrue(ragged.getMessage().contains("expected 2"), ragged.getMessage());
        IllegalArgumentException clip = assertThrows(IllegalArgumentException.class,
                () -> Aggregation.clipToNorm(new float[] {1}, 0));
        assertTrue(clip.getMessage().contains("clip norm"), clip.getMessage());
    }
}
