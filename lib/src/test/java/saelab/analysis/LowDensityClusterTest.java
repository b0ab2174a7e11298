package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The ultra-low-density cluster on planted density views whose cluster and entropies are known. */
class LowDensityClusterTest {

    /**
     * 2 dead latents, 4 rare ones (frequencies 1e-6 .. 5e-5, one-label top patches: entropy 0, one without labels) and 6
     * common ones (1e-2 .. 1e-1, entropy 1.0 or 1.2).
     */
    private static DensityView planted() {
        double nan = Double.NaN;
        return new DensityView(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                new double[] {0, 1e-6, 3e-6, 2e-5, 5e-5, 1e-2, 2e-2, 0, 4e-2, 6e-2, 8e-2, 1e-1},
                new double[] {0, 3.0, 2.5, 2.0, 2.2, 0.5, 0.6, 0, 0.4, 0.5, 0.7, 0.6},
                new double[] {nan, 0.0, 0.1, nan, 0.0, 1.0, 1.2, nan, 1.0, 1.2, 1.0, 1.2});
    }

    @Test
    void theClusterIsTheFiringLatentsBelowTheThreshold() {
        boolean[] in = LowDensityCluster.members(planted(), 1e-4);
        assertArrayEquals(new boolean[] {false, true, true, true, true, false, false, false, false, false, false, false}, in);
        LowDensityCluster.Summary s = LowDensityCluster.of(planted(), 1e-4);
        assertEquals(12, s.latents());
        assertEquals(2, s.dead());
        assertEquals(4, s.cluster());
        assertEquals(6, s.rest());
        assertEquals(4.0 / 12, s.clusterFraction(), 1e-12);
    }

    @Test
    void comparesTheMeanEntropyOfLabelledLatentsOnly() {
        LowDensityCluster.Summary s = LowDensityCluster.of(planted(), 1e-4);
        assertEquals(3, s.clusterLabelled());
        assertEquals(6, s.restLabelled());
        assertEquals(0.1 / 3, s.clusterEntropy(), 1e-12);
        assertEquals(1.1, s.restEntropy(), 1e-12);
        assertTrue(s.welchP() < 1e-3, "p " + s.welchP());
    }

    @Test
    void findsTheGapBetweenTheRareAndTheCommonLatents() {
        LowDensityCluster.Summary s = LowDensityCluster.of(planted(), 1e-4);
        assertEquals(Math.log10(5e-5), s.gapLow(), 1e-12);
        assertEquals(-2.0, s.gapHigh(), 1e-12);
        assertEquals(Math.log10(1e-2 / 5e-5), s.gapDecades(), 1e-12);
    }

    @Test
    void countsTheLatentsWhoseMajorityLabelIsBackground() {
        int[] top = {-1, 0, 0, -1, 3, 0, 2, -1, 0, 1, 0, 2};
        LowDensityCluster.Summary s = LowDensityCluster.of(planted(), 1e-4, top, 0);
        assertEquals(2, s.clusterBackground());
        assertEquals(3, s.restBackground());
        assertEquals(-1, LowDensityCluster.of(planted(), 1e-4).clusterBackground());
        var e = assertThrows(IllegalArgumentException.class, () -> LowDensityCluster.of(planted(), 1e-4, new int[3], 0));
        assertTrue(e.getMessage().contains("3 majority labels"), e.getMessage());
    }

    @Test
    void aLowerThresholdShrinksTheCluster() {
        LowDensityCluster.Summary s = LowDensityCluster.of(planted(), 1e-5);
        assertEquals(2, s.cluster());
        assertEquals(8, s.rest());
        assertEquals(0.05, s.clusterEntropy(), 1e-12);
    }

    @Test
    void noPValueWithoutTwoLabelledLatentsPerSide() {
        DensityView v = new DensityView(new int[] {0, 1, 2}, new double[] {1e-6, 1e-2, 2e-2}, new double[] {1, 1, 1},
                new double[] {0.0, 1.0, 1.5});
        LowDensityCluster.Summary s = LowDensityCluster.of(v, 1e-4);
        assertEquals(1, s.cluster());
        assertTrue(Double.isNaN(s.welchP()));
    }

    @Test
    void refusesABadThresholdOrFrequency() {
        var e = assertThrows(IllegalArgumentException.class, () -> LowDensityCluster.of(planted(), 0));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LowDensityCluster.of(planted(), Double.NaN));
        DensityView bad = new DensityView(new int[] {0, 7}, new double[] {1e-3, -1e-3}, new double[] {1, 1}, new double[] {0, 0});
        var f = assertThrows(IllegalArgumentException.class, () -> LowDensityCluster.of(bad, 1e-4));
        assertTrue(f.getMessage().contains("latent 7"), f.getMessage());
    }
}
