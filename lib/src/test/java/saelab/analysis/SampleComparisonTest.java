package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link SampleComparison}: the Mann-Whitney U and its asymptotic p-value against values computed by hand from the
 * textbook formulas (and matching {@code scipy.stats.mannwhitneyu(a, b, method="asymptotic")}), a bootstrap interval
 * that holds the difference of clearly separated samples and straddles 0 for identical ones, and bad inputs.
 */
class SampleComparisonTest {

    @Test
    void uAndItsPValueFollowTheNormalApproximationWithTies() {
        double[] a = {1, 2, 3, 4, 5};
        double[] b = {3, 6, 7, 8, 9, 10};
        double[] up = SampleComparison.mannWhitney(a, b);
        // ranks of a: 1, 2, 3.5, 5, 6 -> R1 = 17.5, U = 17.5 - 15 = 2.5; one tie pair: Σ(t³-t) = 6
        assertEquals(2.5, up[0], 1e-12);
        double var = 5 * 6 / 12.0 * (12 - 6.0 / (11 * 10));
        double z = (Math.abs(2.5 - 15) - 0.5) / Math.sqrt(var);
        assertEquals(2 * 0.5 * smile.math.special.Erf.erfc(z / Math.sqrt(2)), up[1], 1e-12);
        assertEquals(0.02810, up[1], 1e-4, "scipy gives 0.028100");
        assertEquals(1.0, SampleComparison.mannWhitney(new double[] {2, 2}, new double[] {2, 2, 2})[1], 0.0);
    }

    @Test
    void theBootstrapIntervalHoldsASeparationAndStraddlesZeroWithoutOne() {
        double[] low = new double[30];
        double[] high = new double[30];
        for (int i = 0; i < 30; i++) {
            low[i] = 0.1 + 0.01 * (i % 7);
            high[i] = 0.6 + 0.01 * (i % 5);
        }
        SampleComparison.Result r = SampleComparison.of(high, low, 2000, 0.95, 7);
        assertEquals(r.meanA() - r.meanB(), r.diff(), 1e-12);
        assertTrue(r.lo() > 0.4 && r.hi() < 0.6 && r.lo() <= r.diff() && r.diff() <= r.hi(), r.toString());
        assertTrue(r.p() < 1e-6, r.toString());
        SampleComparison.Result same = SampleComparison.of(low, low.clone(), 2000, 0.95, 7);
        assertTrue(same.lo() < 0 && same.hi() > 0 && same.p() > 0.9, same.toString());
    }

    @Test
    void badInputsAreOneSentence() {
        assertEquals("sample comparison: samples of 0 and 1 values; expected at least one in each",
                assertThrows(IllegalArgumentException.class, () -> SampleComparison.of(new double[0], new double[] {1}, 100, 0.95, 0))
                        .getMessage());
        assertEquals("sample comparison: a value is NaN; expected finite values",
                assertThrows(IllegalArgumentException.class, () -> SampleComparison.of(new double[] {Double.NaN}, new double[] {1}, 100,
                        0.95, 0)).getMessage());
        assertEquals("sample comparison: 10 replicates at level 0.95; expected at least 100 replicates and a level in (0, 1)",
                assertThrows(IllegalArgumentException.class, () -> SampleComparison.of(new double[] {1}, new double[] {1}, 10, 0.95, 0))
                        .getMessage());
    }
}
