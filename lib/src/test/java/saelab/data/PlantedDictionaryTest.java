package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PlantedDictionaryTest {

    private static int activeCount(PlantedDictionary.Sample s, int nAtoms, int row) {
        int c = 0;
        for (int a = 0; a < nAtoms; a++) {
            if (s.codes()[row * nAtoms + a] != 0f) {
                c++;
            }
        }
        return c;
    }

    /** How often each atom is active over all rows. */
    private static int[] firingCounts(PlantedDictionary.Sample s, int nAtoms) {
        int[] counts = new int[nAtoms];
        for (int row = 0; row < s.n(); row++) {
            for (int a = 0; a < nAtoms; a++) {
                if (s.codes()[row * nAtoms + a] != 0f) {
                    counts[a]++;
                }
            }
        }
        return counts;
    }

    @Test
    void atomsHaveUnitNorm() {
        PlantedDictionary dict = PlantedDictionary.random(24, 50, 42);
        assertEquals(24, dict.d());
        assertEquals(50, dict.nAtoms());
        assertEquals(24 * 50, dict.atoms().length);
        for (int a = 0; a < 50; a++) {
            double n2 = 0;
            for (int j = 0; j < 24; j++) {
                double v = dict.atoms()[a * 24 + j];
                n2 += v * v;
            }
            assertEquals(1.0, Math.sqrt(n2), 1e-5, "atom " + a);
        }
    }

    @Test
    void atomsAreSpreadOut() {
        // 64 random unit directions in 256 dimensions are nearly orthogonal: |cos| well below 0.5
        PlantedDictionary dict = PlantedDictionary.random(256, 64, 9);
        double worst = 0;
        for (int a = 0; a < 64; a++) {
            for (int b = a + 1; b < 64; b++) {
                double dot = 0;
                for (int j = 0; j < 256; j++) {
                    dot += dict.atoms()[a * 256 + j] * dict.atoms()[b * 256 + j];
                }
                worst = Math.max(worst, Math.abs(dot));
            }
        }
        assertTrue(worst < 0.5, "max |cos| = " + worst);
    }

    @Test
    void sameSeedSameAtomsOtherSeedOtherAtoms() {
        float[] a = PlantedDictionary.random(16, 32, 1).atoms();
        float[] b = PlantedDictionary.random(16, 32, 1).atoms();
        float[] c = PlantedDictionary.random(16, 32, 2).atoms();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void sameSeedSameSampleOtherSeedOtherSample() {
        PlantedDictionary dict = PlantedDictionary.random(16, 32, 1);
        PlantedDictionary.Sample s1 = dict.sample(100, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.05, 77);
        PlantedDictionary.Sample s2 = dict.sample(100, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.05, 77);
        PlantedDictionary.Sample s3 = dict.sample(100, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.05, 78);
        assertEquals(100, s1.n());
        assertArrayEquals(s1.x(), s2.x());
        assertArrayEquals(s1.codes(), s2.codes());
        assertFalse(Arrays.equals(s1.codes(), s3.codes()));
        assertFalse(Arrays.equals(s1.x(), s3.x()));
    }

    @Test
    void noiselessSampleIsCodesTimesAtoms() {
        int d = 20;
        int nAtoms = 30;
        int n = 300;
        PlantedDictionary dict = PlantedDictionary.random(d, nAtoms, 5);
        PlantedDictionary.Sample s = dict.sample(n, 3.0, PlantedDictionary.AtomFrequency.UNIFORM, 0.0, 6);
        assertEquals(n * d, s.x().length);
        assertEquals(n * nAtoms, s.codes().length);
        for (int row = 0; row < n; row++) {
            int active = activeCount(s, nAtoms, row);
            assertTrue(active >= 1 && active <= nAtoms, "row " + row + " has " + active + " active atoms");
            for (int a = 0; a < nAtoms; a++) {
                float c = s.codes()[row * nAtoms + a];
                assertTrue(c >= 0f, "negative code");
                assertTrue(c == 0f || c >= 0.5f, "active magnitudes are at least 0.5, got " + c);
            }
            for (int j = 0; j < d; j++) {
                double expected = 0;
                for (int a = 0; a < nAtoms; a++) {
                    expected += s.codes()[row * nAtoms + a] * dict.atoms()[a * d + j];
                }
                assertEquals(expected, s.x()[row * d + j], 1e-4, "x[" + row + "," + j + "]");
            }
        }
    }

    @Test
    void noiseHasTheRequestedStandardDeviation() {
        int d = 32;
        int nAtoms = 16;
        int n = 1000;
        double sigma = 0.1;
        PlantedDictionary dict = PlantedDictionary.random(d, nAtoms, 3);
        PlantedDictionary.Sample s = dict.sample(n, 2.0, PlantedDictionary.AtomFrequency.UNIFORM, sigma, 4);
        double sum2 = 0;
        for (int row = 0; row < n; row++) {
            for (int j = 0; j < d; j++) {
                double clean = 0;
                for (int a = 0; a < nAtoms; a++) {
                    clean += s.codes()[row * nAtoms + a] * dict.atoms()[a * d + j];
                }
                double r = s.x()[row * d + j] - clean;
                sum2 += r * r;
            }
        }
        double std = Math.sqrt(sum2 / (n * d));
        assertEquals(sigma, std, 0.05 * sigma);
    }

    @Test
    void meanActiveCountMatchesTheClippedPoissonRate() {
        int nAtoms = 64;
        int n = 5000;
        PlantedDictionary dict = PlantedDictionary.random(8, nAtoms, 11);
        PlantedDictionary.Sample s = dict.sample(n, 4.0, PlantedDictionary.AtomFrequency.UNIFORM, 0.0, 12);
        double total = 0;
        for (int row = 0; row < n; row++) {
            total += activeCount(s, nAtoms, row);
        }
        double mean = total / n;
        // the count is max(1, Poisson(4)) (the clip at 64 is negligible): E = 4 + P(0) = 4 + e^-4
        double expected = 4.0 + Math.exp(-4.0);
        assertEquals(expected, mean, 0.05 * expected, "mean active count " + mean);
    }

    @Test
    void activeCountIsClippedToTheNumberOfAtoms() {
        int nAtoms = 3;
        PlantedDictionary dict = PlantedDictionary.random(4, nAtoms, 1);
        PlantedDictionary.Sample s = dict.sample(200, 20.0, PlantedDictionary.AtomFrequency.POWER_LAW, 0.0, 2);
        for (int row = 0; row < 200; row++) {
            assertEquals(nAtoms, activeCount(s, nAtoms, row), "row " + row);
        }
    }

    @Test
    void powerLawFavoursTheFirstAtoms() {
        int nAtoms = 50;
        PlantedDictionary dict = PlantedDictionary.random(8, nAtoms, 21);
        int[] counts = firingCounts(dict.sample(5000, 2.0, PlantedDictionary.AtomFrequency.POWER_LAW, 0.0, 22), nAtoms);
        // weights 1/(i+10): atom 0 has 1/10, atom 49 has 1/59, almost 6 times less
        assertTrue(counts[0] > 3 * counts[nAtoms - 1], "first " + counts[0] + ", last " + counts[nAtoms - 1]);
        int firstHalf = Arrays.stream(counts, 0, 25).sum();
        int secondHalf = Arrays.stream(counts, 25, 50).sum();
        assertTrue(firstHalf > secondHalf, firstHalf + " vs " + secondHalf);
    }

    @Test
    void uniformTreatsAtomsAlike() {
        int nAtoms = 50;
        PlantedDictionary dict = PlantedDictionary.random(8, nAtoms, 21);
        int[] counts = firingCounts(dict.sample(5000, 2.0, PlantedDictionary.AtomFrequency.UNIFORM, 0.0, 22), nAtoms);
        int min = Arrays.stream(counts).min().orElseThrow();
        int max = Arrays.stream(counts).max().orElseThrow();
        // about 215 firings each; the spread of a binomial that size is about 15
        assertTrue(max < 1.6 * min, "min " + min + ", max " + max);
        double ratio = (double) counts[0] / counts[nAtoms - 1];
        assertTrue(ratio > 0.7 && ratio < 1.4, "first/last = " + ratio);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PlantedDictionary.random(0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> PlantedDictionary.random(5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PlantedDictionary.random(-3, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new PlantedDictionary(2, 3, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> new PlantedDictionary(0, 3, new float[0]));

        PlantedDictionary dict = PlantedDictionary.random(4, 6, 1);
        assertThrows(IllegalArgumentException.class, () -> dict.sample(0, 2, PlantedDictionary.AtomFrequency.UNIFORM, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> dict.sample(-1, 2, PlantedDictionary.AtomFrequency.UNIFORM, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> dict.sample(10, 0, PlantedDictionary.AtomFrequency.UNIFORM, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> dict.sample(10, -1, PlantedDictionary.AtomFrequency.UNIFORM, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> dict.sample(10, Double.NaN, PlantedDictionary.AtomFrequency.UNIFORM, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> dict.sample(10, 2, PlantedDictionary.AtomFrequency.UNIFORM, -0.01, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dict.sample(10, 2, PlantedDictionary.AtomFrequency.UNIFORM, Double.NaN, 1));
        assertTrue(e.getMessage().contains("noise"), e.getMessage());
    }
}
