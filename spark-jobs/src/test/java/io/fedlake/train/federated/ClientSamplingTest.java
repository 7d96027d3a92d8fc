package io.fedlake.train.federated;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientSamplingTest {

    /** A generator that returns the given uniforms in turn. */
    private static RandomGenerator uniforms(double... u) {
        int[] i = {0};
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return u[i[0]++];
            }
        };
    }

    @Test
    void poissonIncludesEachClientWhoseUniformIsBelowQInSortedOrder() {
        // Prepare: clients are visited sorted (a, b, c, d); q = 0.3
        List<String> available = List.of("d", "b", "a", "c");
        // Execute
        List<String> chosen = ClientSampling.poisson(available, 0.3, uniforms(0.29, 0.3, 0.9, 0.0));
        // Assert: a (0.29) and d (0.0) are below 0.3; b (exactly 0.3) is not
        assertEquals(List.of("a", "d"), chosen);
        assertEquals(List.of(), ClientSampling.poisson(available, 0.3, uniforms(0.5, 0.5, 0.5, 0.5)), "an empty draw is possible");
        assertEquals(List.of("a", "b", "c", "d"), ClientSampling.poisson(available, 1.0, uniforms(0.99, 0.5, 0.1, 0.7)));
    }

    @Test
    void poissonDrawSizesAreBinomialNotFixed() {
        // K = 10, q = 0.3: sizes are Binomial(10, 0.3), mean 3 and variance 2.1; a fixed-size draw has variance 0
        List<String> available = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        SplittableRandom rng = new SplittableRandom(3);
        int draws = 4000;
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < draws; i++) {
            int k = ClientSampling.poisson(available, 0.3, rng).size();
            s += k;
            s2 += (double) k * k;
        }
        double mean = s / draws;
        double var = s2 / draws - mean * mean;
        assertEquals(3.0, mean, 0.1);
        assertEquals(2.1, var, 0.25);
    }

    @Test
    void badRateNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientSampling.poisson(List.of("a"), 0, uniforms()));
        assertTrue(e.getMessage().startsWith("sampling rate q must be in (0, 1]"), e.getMessage());
    }
}
