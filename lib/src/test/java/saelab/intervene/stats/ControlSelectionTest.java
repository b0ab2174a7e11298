package saelab.intervene.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ControlSelectionTest {

    /** 1000 latents with log-uniform frequencies in [1e-5, 1e-1], every tenth dead. */
    private static double[] frequencies(int[] ids) {
        SplittableRandom rng = new SplittableRandom(3);
        double[] f = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 7 * i; // ids need not be 0..n-1
            f[i] = i % 10 == 3 ? 0 : Math.pow(10, -5 + 4 * rng.nextDouble());
        }
        return f;
    }

    @Test
    void frequencyMatchedLatentsLieWithinTheToleranceAndNeverIncludeTheTarget() {
        int[] ids = new int[1000];
        double[] f = frequencies(ids);
        int targetRow = 500;
        int target = ids[targetRow];
        for (long seed = 0; seed < 20; seed++) {
            int[] drawn = FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, seed);
            assertEquals(8, drawn.length);
            assertEquals(8, Arrays.stream(drawn).distinct().count(), "draws are without replacement");
            for (int l : drawn) {
                assertNotEquals(target, l);
                double fl = f[l / 7];
                assertTrue(fl > 0, "dead latent " + l);
                assertTrue(Math.abs(Math.log10(fl) - Math.log10(f[targetRow])) <= 0.2, "latent " + l + " frequency " + fl);
            }
        }
        assertArrayEquals(FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 4), FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 4));
        assertFalse(Arrays.equals(FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 4), FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 5)));
    }

    /** Excluded latents are never drawn; excluding no candidate leaves the draws as they were; too few left is one sentence. */
    @Test
    void excludedLatentsAreNeverDrawn() {
        int[] ids = new int[1000];
        double[] f = frequencies(ids);
        int target = ids[500];
        int[] plain = FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 4);
        java.util.Set<Integer> out = java.util.Set.of(plain[0], plain[3]);
        for (long seed = 0; seed < 20; seed++) {
            int[] drawn = FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, seed, out::contains);
            assertTrue(Arrays.stream(drawn).noneMatch(out::contains), Arrays.toString(drawn));
        }
        assertArrayEquals(plain, FrequencyMatchedLatents.draw(ids, f, target, 0.2, 8, 4, l -> l == target || l == -1),
                "excluding no candidate draws the same latents");
        int[] few = {0, 1, 2};
        double[] ff = {0.01, 0.011, 0.0105};
        assertEquals("only 1 live latents outside the excluded ones fire within 0.100 decades of latent 0's frequency 0.0100, fewer than the"
                + " 2 draws asked for; widen the tolerance or draw fewer",
                assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(few, ff, 0, 0.1, 2, 0, l -> l == 2)).getMessage());
    }

    @Test
    void frequencyMatchingRefusesWhatCannotBeMatched() {
        int[] ids = {0, 1, 2, 3};
        double[] f = {0.01, 0.011, 0.5, 0};
        assertEquals("only 1 live latents fire within 0.100 decades of latent 0's frequency 0.0100, fewer than the 2 draws asked for;"
                + " widen the tolerance or draw fewer",
                assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(ids, f, 0, 0.1, 2, 0)).getMessage());
        assertArrayEquals(new int[] {1}, FrequencyMatchedLatents.draw(ids, f, 0, 0.1, 1, 0));
        assertEquals("latent 3 never fired in the analysis, so no latent can be matched to its firing frequency",
                assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(ids, f, 3, 0.1, 1, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(ids, f, 9, 0.1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(ids, new double[] {0.1, Double.NaN, 0.1, 0.1}, 0, 0.1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FrequencyMatchedLatents.draw(ids, f, 0, -1, 1, 0));
    }

    @Test
    void randomDirectionsHaveExactlyTheRequestedPerTokenNorms() {
        float[] norms = {0f, 1f, 2.5f, 100f, 0.003f};
        for (RandomDirections.Sharing s : RandomDirections.Sharing.values()) {
            float[] dx = RandomDirections.edit(norms, 64, s, 9);
            float[] got = TokenEdits.norms(dx, 64);
            for (int t = 0; t < norms.length; t++) {
                assertEquals(norms[t], got[t], 1e-6 * norms[t], s + " token " + t);
            }
            assertArrayEquals(dx, RandomDirections.edit(norms, 64, s, 9), "deterministic for a seed");
        }
        // PER_IMAGE: every token along the same u; PER_TOKEN: independent directions.
        float[] shared = RandomDirections.edit(new float[] {1, 2}, 64, RandomDirections.Sharing.PER_IMAGE, 1);
        float[] own = RandomDirections.edit(new float[] {1, 2}, 64, RandomDirections.Sharing.PER_TOKEN, 1);
        assertEquals(1.0, cosine(shared, 0, shared, 64, 64), 1e-6);
        assertTrue(Math.abs(cosine(own, 0, own, 64, 64)) < 0.6);
        // A negative amount points the token along −u.
        float[] signed = RandomDirections.edit(new float[] {1, -1}, 16, RandomDirections.Sharing.PER_IMAGE, 2);
        for (int j = 0; j < 16; j++) {
            assertEquals(signed[j], -signed[16 + j]);
        }
    }

    @Test
    void randomDirectionsAreNearlyOrthogonalToAFixedVectorOnAverage() {
        // E[cos] = 0 and E[cos²] = 1/d for a uniform direction; 500 draws in d = 256.
        int d = 256;
        float[] v = RandomDirections.unitVector(d, new SplittableRandom(77));
        double sum = 0;
        double sumSq = 0;
        for (int draw = 0; draw < 500; draw++) {
            float[] u = RandomDirections.edit(new float[] {1}, d, RandomDirections.Sharing.PER_IMAGE, RandomDirections.seedFor(5, 0, draw));
            double c = cosine(u, 0, v, 0, d);
            sum += c;
            sumSq += c * c;
        }
        assertTrue(Math.abs(sum / 500) < 3 / Math.sqrt(d * 500.0), "mean cosine " + sum / 500);
        assertTrue(sumSq / 500 > 0.7 / d && sumSq / 500 < 1.3 / d, "mean squared cosine " + sumSq / 500 + " vs 1/d = " + 1.0 / d);
        assertNotEquals(RandomDirections.seedFor(5, 0, 1), RandomDirections.seedFor(5, 1, 0));
        assertNotEquals(RandomDirections.seedFor(5, 0, 1), RandomDirections.seedFor(6, 0, 1));
    }

    @Test
    void randomDirectionsRefuseBadInput() {
        assertEquals("the edit norm of token 1 is NaN; expected a finite value", assertThrows(IllegalArgumentException.class,
                () -> RandomDirections.edit(new float[] {1, Float.NaN}, 8, RandomDirections.Sharing.PER_IMAGE, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RandomDirections.edit(new float[] {1}, 0, RandomDirections.Sharing.PER_TOKEN, 0));
        assertThrows(IllegalArgumentException.class, () -> TokenEdits.norms(new float[5], 2));
    }

    static double cosine(float[] a, int ao, float[] b, int bo, int d) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int j = 0; j < d; j++) {
            ab += (double) a[ao + j] * b[bo + j];
            aa += (double) a[ao + j] * a[ao + j];
            bb += (double) b[bo + j] * b[bo + j];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
