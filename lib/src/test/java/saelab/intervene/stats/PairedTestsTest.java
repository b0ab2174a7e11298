package saelab.intervene.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedTestsTest {

    @Test
    void signFlipPValuesAreUniformUnderTheNull() {
        // Criterion fixed before running: 300 null datasets of 30 images, share of p < 0.05 within [0.02, 0.09]
        // and mean p within [0.44, 0.56] (uniform: 0.5 ± 0.017).
        SplittableRandom rng = new SplittableRandom(1);
        int below = 0;
        double sum = 0;
        for (int s = 0; s < 300; s++) {
            double[] d = new double[30];
            for (int i = 0; i < d.length; i++) {
                d[i] = rng.nextGaussian();
            }
            PairedTest t = SignFlipTest.test(d, 999, s);
            assertFalse(t.exact());
            if (t.pValue() < 0.05) {
                below++;
            }
            sum += t.pValue();
        }
        double share = below / 300.0;
        assertTrue(share >= 0.02 && share <= 0.09, "share below 0.05: " + share);
        assertTrue(sum / 300 >= 0.44 && sum / 300 <= 0.56, "mean p " + sum / 300);
    }

    @Test
    void signFlipGivesASmallPForAClearShift() {
        SplittableRandom rng = new SplittableRandom(2);
        double[] real = new double[30];
        double[] control = new double[30];
        for (int i = 0; i < 30; i++) {
            control[i] = rng.nextDouble();
            real[i] = control[i] + 1 + rng.nextGaussian();
        }
        PairedTest t = SignFlipTest.test(real, control, 3);
        assertTrue(t.pValue() <= 0.001, "p " + t.pValue());
        assertEquals(SignFlipTest.DEFAULT_DRAWS, t.draws());
        assertEquals(t, SignFlipTest.test(real, control, 3));
    }

    @Test
    void exactSignFlipByHand() {
        // All five positive: only the all-plus and all-minus patterns reach |Σ| = 15, p = 2/32.
        assertEquals(0.0625, SignFlipTest.test(new double[] {1, 2, 3, 4, 5}, 1, 0).pValue(), 1e-15);
        // {3, 1}: sums 4, 2, −2, −4; |S| ≥ 4 in 2 of 4.
        assertEquals(0.5, SignFlipTest.test(new double[] {3, 1}, 1, 0).pValue(), 1e-15);
        // Ties: {1, 1, −1} has |S| = 1 and every pattern reaches it.
        assertEquals(1.0, SignFlipTest.test(new double[] {1, 1, -1}, 1, 0).pValue(), 1e-15);
        // Sums equal in exact arithmetic but not in floating point still count as ties: 0.1 + 0.2 vs 0.3.
        assertEquals(1.0, SignFlipTest.test(new double[] {0.1, 0.2, -0.3}, 1, 0).pValue(), 1e-15);
        // No difference at all.
        PairedTest zero = SignFlipTest.test(new double[] {0, 0, 0}, 1, 0);
        assertEquals(1.0, zero.pValue());
        assertTrue(SignFlipTest.test(new double[] {1, 2, 3, 4, 5}, 1, 0).exact());
    }

    @Test
    void exactAndMonteCarloAgree() {
        SplittableRandom rng = new SplittableRandom(4);
        double[] d = new double[20];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextGaussian() + 0.4;
        }
        double exact = SignFlipTest.test(d, 1, 0).pValue();
        double[] longer = new double[21]; // one zero more: same p, but above the exact limit
        System.arraycopy(d, 0, longer, 0, 20);
        PairedTest mc = SignFlipTest.test(longer, 200_000, 5);
        assertFalse(mc.exact());
        assertEquals(exact, mc.pValue(), 4 * Math.sqrt(exact * (1 - exact) / 200_000) + 1e-5);
    }

    @Test
    void wilcoxonMatchesTheClassicalExactTest() {
        // Hollander & Wolfe's depression scores (R: wilcox.test(x, y, paired = TRUE) gives V = 40, p = 0.03906).
        double[] x = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
        double[] y = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
        PairedTest t = WilcoxonSignedRank.test(x, y, 0);
        assertEquals(40.0, t.statistic(), 1e-12);
        assertEquals(20.0 / 512, t.pValue(), 1e-15);
        assertEquals(9, t.n());
        assertTrue(t.exact());
    }

    @Test
    void wilcoxonDropsZerosAndAveragesTiedRanks() {
        assertArrayEquals(new double[] {2.5, -1, 2.5, 4}, WilcoxonSignedRank.signedRanks(new double[] {2, 0, -1, 2, 0, 3}), 1e-15);
        // Six equal positive differences: ranks 3.5 each, W+ = 21, only ±all reach it: p = 2/64.
        PairedTest t = WilcoxonSignedRank.test(new double[] {1, 1, 1, 1, 1, 1, 0}, 1, 0);
        assertEquals(21.0, t.statistic(), 1e-12);
        assertEquals(6, t.n());
        assertEquals(2.0 / 64, t.pValue(), 1e-15);
    }

    @Test
    void holmAdjustmentByHand() {
        // Sorted 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → 0.09 (monotone), 0.2·1 = 0.2.
        assertArrayEquals(new double[] {0.04, 0.09, 0.09, 0.2}, HolmBonferroni.adjust(new double[] {0.01, 0.04, 0.03, 0.2}), 1e-12);
        assertArrayEquals(new double[] {1.0, 1.0}, HolmBonferroni.adjust(new double[] {0.6, 0.7}), 1e-12);
        assertEquals("p-value 1 is NaN; expected a value in [0, 1]",
                assertThrows(IllegalArgumentException.class, () -> HolmBonferroni.adjust(new double[] {0.1, Double.NaN})).getMessage());
    }

    @Test
    void pairedTestsRefuseBadInput() {
        assertEquals("the paired difference of image 1 is NaN; expected a finite value",
                assertThrows(IllegalArgumentException.class, () -> SignFlipTest.test(new double[] {1, Double.NaN}, 10, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SignFlipTest.test(new double[] {1, 2}, new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> WilcoxonSignedRank.test(new double[] {1, 2}, new double[] {1}, 0));
    }
}
