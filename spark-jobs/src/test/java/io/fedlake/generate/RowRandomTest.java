package io.fedlake.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowRandomTest {

    @Test
    void sameSeedStreamAndIdGiveTheSameSequence() {
        RowRandom a = new RowRandom(42, 1, 17);
        RowRandom b = new RowRandom(42, 1, 17);
        for (int i = 0; i < 100; i++) {
            assertEquals(a.gaussian(), b.gaussian());
        }
        assertNotEquals(new RowRandom(42, 1, 17).uniform(), new RowRandom(42, 1, 18).uniform());
        assertNotEquals(new RowRandom(42, 1, 17).uniform(), new RowRandom(43, 1, 17).uniform());
    }

    @Test
    void distributionsHaveTheirMoments() {
        RowRandom r = new RowRandom(7, 0, 0);
        int n = 200_000;
        double sum = 0;
        double sq = 0;
        double poisson = 0;
        int[] chosen = new int[3];
        for (int i = 0; i < n; i++) {
            double g = r.gaussian();
            sum += g;
            sq += g * g;
            poisson += r.poisson(1.5);
            chosen[r.choice(new double[]{1, 2, 7})]++;
        }
        assertEquals(0.0, sum / n, 0.01);
        assertEquals(1.0, sq / n, 0.015);
        assertEquals(1.5, poisson / n, 0.015);
        assertEquals(0.7, chosen[2] / (double) n, 0.005);
        assertTrue(RowRandom.sigmoid(0) == 0.5);
    }
}
