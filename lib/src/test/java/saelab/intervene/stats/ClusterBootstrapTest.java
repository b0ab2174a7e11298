package saelab.intervene.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusterBootstrapTest {

    /** Images whose own flip rate is 0.1 or 0.5 with probability ½ each: true micro rate 0.3, strongly clustered. */
    private static ImageCounts clustered(int images, SplittableRandom rng, double shift) {
        double[] num = new double[images];
        double[] den = new double[images];
        for (int i = 0; i < images; i++) {
            den[i] = 20 + rng.nextInt(30);
            double p = (rng.nextBoolean() ? 0.1 : 0.5) + shift;
            num[i] = binomial((int) den[i], p, rng);
        }
        return ImageCounts.of(num, den);
    }

    private static int binomial(int n, double p, SplittableRandom rng) {
        int k = 0;
        for (int j = 0; j < n; j++) {
            if (rng.nextDouble() < p) {
                k++;
            }
        }
        return k;
    }

    /** The same patches with every patch its own "image" (the naive bootstrap that ignores clusters). */
    private static ImageCounts perPatch(ImageCounts c) {
        int n = 0;
        for (double d : c.den()) {
            n += (int) d;
        }
        double[] num = new double[n];
        double[] den = new double[n];
        int k = 0;
        for (int i = 0; i < c.images(); i++) {
            for (int j = 0; j < (int) c.den()[i]; j++, k++) {
                den[k] = 1;
                num[k] = j < c.num()[i] ? 1 : 0;
            }
        }
        return ImageCounts.of(num, den);
    }

    @Test
    void microIntervalCoversTheTrueRateAtCloseToTheNominalRate() {
        // Criterion fixed before running: 200 datasets of 100 clustered images, coverage of 0.3 within [0.90, 0.99].
        SplittableRandom rng = new SplittableRandom(42);
        int covered = 0;
        for (int s = 0; s < 200; s++) {
            ImageCounts c = clustered(100, rng, 0);
            if (new ClusterBootstrap(ClusterBootstrap.Options.defaults(s)).microRate(c).covers(0.3)) {
                covered++;
            }
        }
        double coverage = covered / 200.0;
        assertTrue(coverage >= 0.90 && coverage <= 0.99, "coverage " + coverage);
    }

    @Test
    void pairedDifferenceCoversTheTrueDifferenceAndKeepsThePairing() {
        // Control rate = the image's own rate − 0.05 on the same images; true difference 0.05; coverage within [0.90, 0.99].
        SplittableRandom rng = new SplittableRandom(7);
        int covered = 0;
        double pairedWidth = 0;
        double unpairedWidth = 0;
        for (int s = 0; s < 200; s++) {
            int n = 100;
            double[] den = new double[n];
            double[] real = new double[n];
            double[] control = new double[n];
            for (int i = 0; i < n; i++) {
                den[i] = 20 + rng.nextInt(30);
                double p = rng.nextBoolean() ? 0.1 : 0.5;
                real[i] = binomial((int) den[i], p, rng);
                control[i] = binomial((int) den[i], p - 0.05, rng);
            }
            ClusterBootstrap b = new ClusterBootstrap(ClusterBootstrap.Options.defaults(s));
            Interval d = b.microDifference(ImageCounts.of(real, den), ImageCounts.of(control, den));
            if (d.covers(0.05)) {
                covered++;
            }
            pairedWidth += d.upper() - d.lower();
            Interval r = b.microRate(ImageCounts.of(real, den));
            unpairedWidth += r.upper() - r.lower();
        }
        double coverage = covered / 200.0;
        assertTrue(coverage >= 0.90 && coverage <= 0.99, "coverage " + coverage);
        // Both conditions share the image effect, which the paired difference cancels: narrower than one rate alone.
        assertTrue(pairedWidth < unpairedWidth, "paired " + pairedWidth + " vs one rate " + unpairedWidth);
    }

    @Test
    void deterministicForASeed() {
        ImageCounts c = clustered(60, new SplittableRandom(3), 0);
        Interval a = new ClusterBootstrap(ClusterBootstrap.Options.defaults(11)).microRate(c);
        Interval b = new ClusterBootstrap(ClusterBootstrap.Options.defaults(11)).microRate(c);
        Interval other = new ClusterBootstrap(ClusterBootstrap.Options.defaults(12)).microRate(c);
        assertEquals(a, b);
        assertNotEquals(a.lower(), other.lower());
        assertEquals(c.microRate(), a.estimate());
    }

    @Test
    void clusteredImagesWidenTheIntervalAgainstTheNaivePatchBootstrap() {
        ClusterBootstrap b = new ClusterBootstrap(ClusterBootstrap.Options.defaults(5));
        ImageCounts c = clustered(100, new SplittableRandom(9), 0);
        Interval cluster = b.microRate(c);
        Interval naive = b.microRate(perPatch(c));
        assertEquals(cluster.estimate(), naive.estimate(), 1e-12);
        double ratio = (cluster.upper() - cluster.lower()) / (naive.upper() - naive.lower());
        assertTrue(ratio >= 1.5, "cluster/naive width " + ratio);

        // Without an image effect (every image 0.3) the two agree.
        SplittableRandom rng = new SplittableRandom(10);
        double[] num = new double[100];
        double[] den = new double[100];
        for (int i = 0; i < 100; i++) {
            den[i] = 20 + rng.nextInt(30);
            num[i] = binomial((int) den[i], 0.3, rng);
        }
        ImageCounts flat = ImageCounts.of(num, den);
        Interval fc = b.microRate(flat);
        Interval fn = b.microRate(perPatch(flat));
        double flatRatio = (fc.upper() - fc.lower()) / (fn.upper() - fn.lower());
        assertTrue(flatRatio > 0.8 && flatRatio < 1.25, "independent patches: cluster/naive width " + flatRatio);
    }

    @Test
    void microAndMacroRatesByHand() {
        // Image 0: class 0 has 1 of 4 flipped, class 1 has 3 of 3; image 1: class 0 has 1 of 4, class 1 absent;
        // class 2 absent everywhere. Micro = 5/11; macro = mean(2/8, 3/3) = 0.625 (class 2 left out).
        ImageCounts c = new ImageCounts(2, 3, new double[] {1, 3, 0, 1, 0, 0}, new double[] {4, 3, 0, 4, 0, 0});
        assertEquals(5.0 / 11, c.microRate(), 1e-12);
        assertEquals(0.625, c.macroRate(), 1e-12);
        assertEquals(0.25, c.groupRate(0), 1e-12);
        assertTrue(Double.isNaN(c.groupRate(2)));
        Interval macro = new ClusterBootstrap(ClusterBootstrap.Options.defaults(1)).macroRate(c);
        assertEquals(0.625, macro.estimate(), 1e-12);
        // Resamples of image 1 alone have class 0 only, rate 0.25; of image 0 alone, mean(0.25, 1): bounds in [0.25, 0.625].
        assertTrue(macro.lower() >= 0.25 - 1e-12 && macro.upper() <= 0.625 + 1e-12, macro.toString());
    }

    @Test
    void replicatesWithoutADenominatorAreCountedAsUndefined() {
        // One image of ten has the class: about (0.9)^10 ≈ 35% of replicates draw no image with it.
        double[] num = new double[10];
        double[] den = new double[10];
        num[0] = 1;
        den[0] = 2;
        Interval i = new ClusterBootstrap(ClusterBootstrap.Options.defaults(2)).microRate(ImageCounts.of(num, den));
        assertTrue(i.undefined() > 200 && i.undefined() < 500, "undefined " + i.undefined());
        assertEquals(0.5, i.lower());
        assertEquals(0.5, i.upper());
    }

    @Test
    void refusesBadCountsWithOneSentence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageCounts.of(new double[] {1, Double.NaN}, new double[] {2, 2}));
        assertEquals("image 1, group 0 has numerator NaN and denominator 2.0; expected finite values and a denominator of at least 0",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageCounts.of(new double[] {1}, new double[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> ImageCounts.of(new double[] {1, 2}, new double[] {2}));
        ClusterBootstrap b = new ClusterBootstrap(ClusterBootstrap.Options.defaults(0));
        assertThrows(IllegalArgumentException.class,
                () -> b.microDifference(ImageCounts.of(new double[] {1}, new double[] {1}), ImageCounts.of(new double[] {1, 1}, new double[] {1, 1})));
        assertThrows(IllegalArgumentException.class, () -> new ClusterBootstrap.Options(0, 0.95, 0));
        assertThrows(IllegalArgumentException.class, () -> new ClusterBootstrap.Options(100, 1.0, 0));
    }
}
