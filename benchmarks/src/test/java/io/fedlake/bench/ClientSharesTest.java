package io.fedlake.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientSharesTest {

    @Test
    void clientIdsArePaddedToSortInOrder() {
        assertEquals("client-0", ClientShares.clientId(0, 10));
        assertEquals("client-07", ClientShares.clientId(7, 11));
        assertEquals("client-099", ClientShares.clientId(99, 101));
    }

    @Test
    void everyClientOwnsExactlyItsShardsAndTheDealIsSeeded() {
        // Execute: 5 clients × 2 shards
        int[] owners = ClientShares.shardOwners(5, 2, 17L);
        // Assert: 10 shards, each client owns 2
        assertEquals(10, owners.length);
        int[] perClient = new int[5];
        for (int o : owners) {
            perClient[o]++;
        }
        assertArrayEquals(new int[] {2, 2, 2, 2, 2}, perClient);
        assertArrayEquals(owners, ClientShares.shardOwners(5, 2, 17L));
        assertFalse(Arrays.equals(owners, ClientShares.shardOwners(5, 2, 18L)), "another seed deals differently");
    }

    @Test
    void shardOfCutsPositionsIntoEqualParts() {
        // N = 10 rows, 4 shards: floor(pos·4/10) → 0,0,0,1,1,2,2,2,3,3
        int[] expected = {0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
        for (int pos = 0; pos < 10; pos++) {
            assertEquals(expected[pos], ClientShares.shardOf(pos, 10, 4), "position " + pos);
        }
    }

    @Test
    void binFindsTheFirstCumulativeAboveTheDraw() {
        double[] cumulative = ClientShares.cumulative(new double[] {0.2, 0.3, 0.5});
        assertArrayEquals(new double[] {0.2, 0.5, 1.0}, cumulative, 1e-15);
        assertEquals(0, ClientShares.bin(0.0, cumulative));
        assertEquals(0, ClientShares.bin(0.1999, cumulative));
        assertEquals(1, ClientShares.bin(0.2, cumulative));
        assertEquals(1, ClientShares.bin(0.4999, cumulative));
        assertEquals(2, ClientShares.bin(0.5, cumulative));
        assertEquals(2, ClientShares.bin(0.9999, cumulative));
    }

    @Test
    void dirichletProportionsSumToOneAndConcentrationControlsSkew() {
        double[] flat = ClientShares.dirichletProportions(10, 1000, 1L);
        double[] skewed = ClientShares.dirichletProportions(10, 0.3, 1L);
        assertEquals(1.0, Arrays.stream(flat).sum(), 1e-12);
        assertEquals(1.0, Arrays.stream(skewed).sum(), 1e-12);
        // α = 1000: each share ~ Beta(1000, 9000), mean 0.1, sd ≈ 0.003 → all within 0.02 of 0.1
        for (double p : flat) {
            assertEquals(0.1, p, 0.02);
        }
        // α = 0.3: the largest share is far above uniform (expected max share of Dirichlet(0.3·1₁₀) is ≈ 0.4)
        assertTrue(Arrays.stream(skewed).max().getAsDouble() > 0.25, Arrays.toString(skewed));
        assertArrayEquals(skewed, ClientShares.dirichletProportions(10, 0.3, 1L));
    }

    @Test
    void dirichletGammaDrawsHaveTheRightMean() {
        // Dirichlet(α·1_K) marginals are Beta(α, (K−1)α) with mean 1/K; average 2000 draws of K = 4, α = 0.5
        double[] mean = new double[4];
        int draws = 2000;
        for (int s = 0; s < draws; s++) {
            double[] p = ClientShares.dirichletProportions(4, 0.5, s);
            for (int i = 0; i < 4; i++) {
                mean[i] += p[i] / draws;
            }
        }
        // Beta(0.5, 1.5) variance = ab/((a+b)²(a+b+1)) = 0.75/12 = 0.0625, sd 0.25; the mean of 2000 draws has sd ≈ 0.0056
        for (double m : mean) {
            assertEquals(0.25, m, 0.03);
        }
    }

    @Test
    void badArgumentsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientShares.dirichletProportions(3, 0, 1))
                .getMessage().contains("Dirichlet alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClientShares.shardOwners(0, 2, 1))
                .getMessage().contains("clients"));
    }
}
