package io.fedlake.features.drift;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FeaturePsiTest {

    @Test
    void handComputedTwoBinExample() {
        // shares 0.5/0.5 → 0.25/0.75: (0.25-0.5)·ln(0.25/0.5) + (0.75-0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5
        double psi = Psi.index(new long[]{50, 50}, new long[]{25, 75});

        assertEquals(0.25 * Math.log(2) + 0.25 * Math.log(1.5), psi, 1e-12);
        assertEquals(0.274653, psi, 1e-6);
        assertEquals("significant", Psi.band(psi));
    }

    @Test
    void sameSharesGiveZeroWhateverTheCounts() {
        assertEquals(0.0, Psi.index(new long[]{10, 20, 30}, new long[]{100, 200, 300}), 1e-15);
    }

    @Test
    void psiIsSymmetricInItsArguments() {
        long[] e = {10, 40, 50};
        long[] a = {30, 30, 40};
        assertEquals(Psi.index(e, a), Psi.index(a, e), 1e-15);
    }

    @Test
    void anEmptyBinIsFlooredNotInfinite() {
        // expected share 0 → 1e-4; actual 0.5: (0.5-1e-4)·ln(0.5/1e-4) + (0.5-1)·ln(0.5/1)
        double psi = Psi.index(new long[]{0, 10}, new long[]{5, 5});
        assertEquals((0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (0.5 - 1.0) * Math.log(0.5), psi, 1e-12);
    }

    @Test
    void bandsAtTheUsualThresholds() {
        assertEquals("stable", Psi.band(0.0999));
        assertEquals("moderate", Psi.band(0.1));
        assertEquals("moderate", Psi.band(0.2499));
        assertEquals("significant", Psi.band(0.25));
    }

    @Test
    void badHistogramsAreRejected() {
        assertEquals("histograms must have the same, non-zero number of bins, got 2 and 3",
                assertThrows(IllegalArgumentException.class, () -> Psi.index(new long[]{1, 2}, new long[]{1, 2, 3})).getMessage());
        assertEquals("both histograms need at least one value, got 0 expected and 3 actual",
                assertThrows(IllegalArgumentException.class, () -> Psi.index(new long[]{0, 0}, new long[]{1, 2})).getMessage());
    }
}
