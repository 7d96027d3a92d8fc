package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecureAggregationTest {

    private static final long ROUND_SEED = 20240601L;
    private static final List<String> CLIENTS = List.of("client-0", "client-1", "client-2", "client-3", "client-4");
    private static final int DIM = 64;

    /** Seeded deltas in [−1, 1) and example counts 10, 20, … per client. */
    private static float[][] deltas() {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] d = new float[CLIENTS.size()][DIM];
        for (float[] row : d) {
            for (int i = 0; i < DIM; i++) {
                row[i] = (float) (2 * rng.nextDouble() - 1);
            }
        }
        return d;
    }

    private static double weight(int k) {
        return 10.0 * (k + 1);
    }

    private static long[] plainSum(float[][] d, List<Integer> which) {
        long[] sum = new long[DIM];
        for (int k : which) {
            sum = SecureAggregation.sum(sum, SecureAggregation.encode(d[k], weight(k)));
        }
        return sum;
    }

    private static long[] maskedSum(float[][] d, List<Integer> which) {
        long[] sum = new long[DIM];
        for (int k : which) {
            long[] masked = SecureAggregation.mask(SecureAggregation.encode(d[k], weight(k)), CLIENTS.get(k), CLIENTS, ROUND_SEED);
            sum = SecureAggregation.sum(sum, masked);
        }
        return sum;
    }

    @Test
    void encodingIsFixedPointWithTwentyFourFractionalBits() {
        // 2·0.5·2^24 = 16777216; 2·(−0.25)·2^24 = −8388608; decode divides by 2^24 and the total weight 2
        long[] e = SecureAggregation.encode(new float[] {0.5f, -0.25f}, 2.0);
        assertArrayEquals(new long[] {16_777_216L, -8_388_608L}, e);
        assertArrayEquals(new float[] {0.5f, -0.25f}, SecureAggregation.decodeMean(e, 2.0));
    }

    @Test
    void encodingRefusesValuesOutsideTheFixedPointRange() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.encode(new float[] {0f, 3e11f}, 1.0));
        assertTrue(big.getMessage().contains("parameter 1"), big.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.encode(new float[] {Float.NaN}, 1.0));
        assertTrue(nan.getMessage().contains("not finite"), nan.getMessage());
    }

    @Test
    void oneMaskedUpdateRevealsNothingUseful() {
        // Prepare
        float[][] d = deltas();
        long[] plain = SecureAggregation.encode(d[2], weight(2));
        // Execute
        long[] masked = SecureAggregation.mask(plain, CLIENTS.get(2), CLIENTS, ROUND_SEED);
        // Assert: decoding the masked vector alone gives values of order 2^63/2^24/w ≈ 1e10, not ≈ 1
        float[] decoded = SecureAggregation.decodeMean(masked, weight(2));
        double diff = 0;
        for (int i = 0; i < DIM; i++) {
            diff += Math.pow(decoded[i] - d[2][i], 2);
        }
        double relative = Math.sqrt(diff) / Aggregation.l2Norm(d[2]);
        assertTrue(relative > 1e6, "relative L2 distance " + relative);
    }

    @Test
    void masksCancelExactlyInTheSumOfAllClients() {
        // Prepare
        float[][] d = deltas();
        List<Integer> all = List.of(0, 1, 2, 3, 4);
        // Execute
        long[] masked = maskedSum(d, all);
        long[] plain = plainSum(d, all);
        // Assert: exact equality in the ring, and the decoded weighted mean within fixed-point resolution
        assertArrayEquals(plain, masked);
        double totalWeight = 10 + 20 + 30 + 40 + 50;
        float[] mean = SecureAggregation.decodeMean(masked, totalWeight);
        for (int i = 0; i < DIM; i++) {
            double expected = 0;
            for (int k = 0; k < d.length; k++) {
                expected += weight(k) * d[k][i];
            }
            assertEquals(expected / totalWeight, mean[i], 1e-6);
        }
    }

    @Test
    void droppedClientsMasksAreRemovedByTheRecoveryStep() {
        float[][] d = deltas();
        for (List<Integer> droppedIdx : List.of(List.of(3), List.of(0, 4))) {
            // Prepare: everyone masked against all five participants, then some never report
            List<Integer> survivorIdx = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            survivorIdx.removeAll(droppedIdx);
            List<String> survivors = survivorIdx.stream().map(CLIENTS::get).toList();
            List<String> dropped = droppedIdx.stream().map(CLIENTS::get).toList();
            long[] masked = maskedSum(d, survivorIdx);
            // the survivors' sum alone is still masked
            assertFalse(java.util.Arrays.equals(plainSum(d, survivorIdx), masked));
            // Execute
            long[] recovered = SecureAggregation.removeDropoutMasks(masked, survivors, dropped, ROUND_SEED);
            // Assert
            assertArrayEquals(plainSum(d, survivorIdx), recovered, "dropped " + dropped);
        }
    }

    @Test
    void summationOrderDoesNotMatter() {
        float[][] d = deltas();
        List<long[]> masked = new ArrayList<>();
        for (int k = 0; k < d.length; k++) {
            masked.add(SecureAggregation.mask(SecureAggregation.encode(d[k], weight(k)), CLIENTS.get(k), CLIENTS, ROUND_SEED));
        }
        long[] reference = maskedSum(d, List.of(0, 1, 2, 3, 4));
        Random shuffler = new Random(9);
        for (int trial = 0; trial < 5; trial++) {
            List<long[]> order = new ArrayList<>(masked);
            Collections.shuffle(order, shuffler);
            // a tree merge, as Spark's treeAggregate would do: ((a + b) + (c + (d + e)))
            long[] left = SecureAggregation.sum(order.get(0), order.get(1));
            long[] right = SecureAggregation.sum(order.get(2), SecureAggregation.sum(order.get(3), order.get(4)));
            assertArrayEquals(reference, SecureAggregation.sum(left, right));
        }
    }

    @Test
    void misuseIsRejectedWithAClearMessage() {
        IllegalArgumentException outsider = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.mask(new long[1], "client-9", CLIENTS, ROUND_SEED));
        assertTrue(outsider.getMessage().contains("client-9 is not among"), outsider.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> SecureAggregation.removeDropoutMasks(new long[1], List.of("a", "b"), List.of("b"), ROUND_SEED));
        assertTrue(both.getMessage().contains("both as survivor and as dropped"), both.getMessage());
        assertEquals(SecureAggregation.pairSeed(ROUND_SEED, "a", "b"), SecureAggregation.pairSeed(ROUND_SEED, "b", "a"));
    }
}
