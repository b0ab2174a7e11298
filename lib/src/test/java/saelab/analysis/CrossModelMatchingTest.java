package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Cross-model matching on planted codes whose correlations are known. */
class CrossModelMatchingTest {

    /** Dense per-unit codes [images][patches][d] as sparse patch codes. */
    private static CrossModelMatching.PatchCodes codes(float[][][] dense) {
        return new CrossModelMatching.PatchCodes() {
            @Override
            public long images() {
                return dense.length;
            }

            @Override
            public int patches() {
                return dense[0].length;
            }

            @Override
            public int dSae() {
                return dense[0][0].length;
            }

            @Override
            public SparseCodes.Codes codes(long image, int patch) {
                float[] v = dense[(int) image][patch];
                List<Integer> ids = new ArrayList<>();
                for (int l = 0; l < v.length; l++) {
                    if (v[l] > 0) {
                        ids.add(l);
                    }
                }
                int[] i = ids.stream().mapToInt(Integer::intValue).toArray();
                float[] x = new float[i.length];
                for (int k = 0; k < i.length; k++) {
                    x[k] = v[i[k]];
                }
                return new SparseCodes.Codes(i, x);
            }
        };
    }

    /** A: 6 latents (5 never fires); B: B0 = A2, B1 = 2·A4, B2 = A0 with noise, B3 independent, B4 never fires. */
    private static float[][][][] planted(int images, int patches) {
        SplittableRandom rng = new SplittableRandom(7);
        float[][][] a = new float[images][patches][6];
        float[][][] b = new float[images][patches][5];
        for (int i = 0; i < images; i++) {
            for (int p = 0; p < patches; p++) {
                for (int l = 0; l < 5; l++) {
                    a[i][p][l] = rng.nextDouble() < 0.3 ? (float) rng.nextDouble(0.1, 3) : 0;
                }
                b[i][p][0] = a[i][p][2];
                b[i][p][1] = 2 * a[i][p][4];
                b[i][p][2] = a[i][p][0] > 0 ? a[i][p][0] + (float) rng.nextDouble(0, 0.3) : 0;
                b[i][p][3] = rng.nextDouble() < 0.3 ? (float) rng.nextDouble(0.1, 3) : 0;
            }
        }
        return new float[][][][] {a, b};
    }

    @Test
    void patchUnitsFindThePlantedPairsAndNoCounterpartForTheOthers() {
        float[][][][] ab = planted(300, 4);
        CrossModelMatching.Result r = CrossModelMatching.measure(codes(ab[0]), codes(ab[1]), CrossModelMatching.Options.patches());
        assertEquals(1200, r.units());
        assertEquals(1.0, r.r(2, 0), 1e-5);
        assertEquals(1.0, r.r(4, 1), 1e-5);
        assertTrue(r.r(0, 2) > 0.9, "a noisy copy correlates strongly: " + r.r(0, 2));
        assertTrue(Math.abs(r.r(1, 3)) < 0.15, "independent latents barely correlate: " + r.r(1, 3));
        assertEquals(0, r.bestForA(2).other());
        assertEquals(1, r.bestForA(4).other());
        assertEquals(2, r.bestForA(0).other());
        assertTrue(r.mutual(2, 0) && r.mutual(4, 1) && r.mutual(0, 2));
        assertEquals(4, r.bestForB(1).other());
        // A1 and A3 have no counterpart in B; A5 never fired (dead, not unmatched)
        assertEquals(0, r.firesA()[5]);
        assertTrue(Double.isNaN(r.r(5, 0)));
        assertEquals(-1, r.bestForA(5).other());
        assertEquals(2.0 / 5, r.unmatchedShareOfA(0.5), 1e-12);
        assertTrue(Double.isNaN(r.r(0, 4)), "B4 never fired");
    }

    @Test
    void imageUnitsUseEachLatentsMaximumOverThePatches() {
        float[][][][] ab = planted(200, 3);
        CrossModelMatching.Result r = CrossModelMatching.measure(codes(ab[0]), codes(ab[1]),
                new CrossModelMatching.Options(CrossModelMatching.Unit.IMAGE, 1 << 20));
        assertEquals(200, r.units());
        assertEquals(1.0, r.r(2, 0), 1e-5, "B0 = A2 patch by patch, so their image maxima are equal");
        assertEquals(1.0, r.r(4, 1), 1e-5, "B1 = 2 A4: maxima scale too");
        // hand check of one pair against the definition
        double[] x = new double[200];
        double[] y = new double[200];
        for (int i = 0; i < 200; i++) {
            for (int p = 0; p < 3; p++) {
                x[i] = Math.max(x[i], ab[0][i][p][1]);
                y[i] = Math.max(y[i], ab[1][i][p][3]);
            }
        }
        assertEquals(pearson(x, y), r.r(1, 3), 1e-5);
    }

    @Test
    void mismatchedSourcesAndOversizedTablesGetOneSentence() {
        float[][][][] ab = planted(10, 4);
        float[][][][] other = planted(11, 4);
        var e = assertThrows(IllegalArgumentException.class,
                () -> CrossModelMatching.measure(codes(ab[0]), codes(other[1]), CrossModelMatching.Options.patches()));
        assertTrue(e.getMessage().contains("cover 10 and 11 images"), e.getMessage());
        float[][][][] grid = planted(10, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> CrossModelMatching.measure(codes(ab[0]), codes(grid[1]), CrossModelMatching.Options.patches()));
        assertTrue(e.getMessage().contains("4 and 3 patches per image"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrossModelMatching.measure(codes(ab[0]), codes(ab[1]),
                new CrossModelMatching.Options(CrossModelMatching.Unit.PATCH, 100)));
        assertTrue(e.getMessage().contains("6 x 5 latents needs"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    private static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
