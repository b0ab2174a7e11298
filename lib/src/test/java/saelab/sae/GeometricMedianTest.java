package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link GeometricMedian} (Weiszfeld's algorithm) against three independent checks: a brute-force
 * optimality check (the sum of distances at the result is no larger than at the mean or at small
 * steps from the result along every coordinate, in both directions); a configuration with a known
 * answer (points symmetric about a centre plus one far outlier: the median stays near the centre while
 * the mean moves, and it equals the minimiser of the sum of distances along the symmetry axis, found
 * by bisection); and datasets where the first iterate (the mean) lands exactly on a data point, which
 * Weiszfeld's update cannot handle without the fix (a division by a zero distance).
 */
class GeometricMedianTest {

    /** Σ_r ‖rows_r − y‖ in double. */
    private static double sumOfDistances(float[] rows, int n, int d, double[] y) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                double diff = rows[r * d + c] - y[c];
                s += diff * diff;
            }
            total += Math.sqrt(s);
        }
        return total;
    }

    private static double[] mean(float[] rows, int n, int d) {
        double[] m = new double[d];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                m[c] += rows[r * d + c] / (double) n;
            }
        }
        return m;
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }
        return Math.sqrt(s);
    }

    /**
     * The result is no worse than the mean and than every point at ±{@code step} along a coordinate.
     * The sum of distances is convex, so a point that no coordinate step improves is within about
     * {@code step} of the minimum. Slack: the result is a float and the iteration stops at a relative
     * move of 1e-7, so it may lie about 1e-6 · max(1, ‖y‖) from the exact median; the sum of distances
     * is n-Lipschitz, so it may exceed the minimum by n times that (seen: 2e-8 at a median on a data
     * point, where the sum grows linearly).
     */
    private static void assertBruteForceMinimum(float[] rows, int n, int d, float[] median, double step) {
        double[] y = toDouble(median);
        double at = sumOfDistances(rows, n, d, y);
        double slack = n * 1e-6 * Math.max(1, distance(y, new double[d]));
        assertTrue(at <= sumOfDistances(rows, n, d, mean(rows, n, d)) + slack, "no worse than the mean");
        for (int c = 0; c < d; c++) {
            for (double s : new double[] {-step, step}) {
                double[] z = y.clone();
                z[c] += s;
                double there = sumOfDistances(rows, n, d, z);
                assertTrue(at <= there + slack, "a step of " + s + " along coordinate " + c + " lowers the sum of distances from "
                        + at + " to " + there);
            }
        }
    }

    @Test
    void randomCloudWithOutliersIsAMinimum() {
        int n = 300;
        int d = 8;
        SplittableRandom rng = new SplittableRandom(3);
        float[] rows = new float[n * d];
        for (int r = 0; r < n; r++) {
            double scale = r % 25 == 0 ? 50 : 1; // a few far outliers
            for (int c = 0; c < d; c++) {
                rows[r * d + c] = (float) (c * 0.5 + scale * (rng.nextDouble() * 2 - 1) + (rng.nextDouble() - 0.5));
            }
        }
        float[] median = GeometricMedian.of(rows, n, d);
        assertEquals(d, median.length);
        assertBruteForceMinimum(rows, n, d, median, 1e-2);
        // and strictly better than the mean (the outliers pull the mean away)
        assertTrue(sumOfDistances(rows, n, d, toDouble(median)) < sumOfDistances(rows, n, d, mean(rows, n, d)) - 1);
    }

    /**
     * The 8 corners of a cube and 6 axis points about a centre c, plus one outlier far along the first
     * axis. The set is symmetric under sign flips of the other coordinates about c, so the (unique)
     * median lies on the line c + t·e_0; t minimises the convex Σ ‖c + t e_0 − x_r‖, found here by
     * bisection on its derivative over an interval with no data point on it.
     */
    @Test
    void symmetricPointsWithAFarOutlierKeepTheMedianNearTheCentre() {
        int d = 3;
        double[] centre = {1.5, -2.0, 0.25};
        double outlier = 100;
        java.util.List<double[]> offsets = new java.util.ArrayList<>();
        for (int s0 = -1; s0 <= 1; s0 += 2) {
            for (int s1 = -1; s1 <= 1; s1 += 2) {
                for (int s2 = -1; s2 <= 1; s2 += 2) {
                    offsets.add(new double[] {s0, s1, s2});
                }
            }
        }
        for (int c = 0; c < d; c++) {
            for (int s = -1; s <= 1; s += 2) {
                double[] o = new double[d];
                o[c] = 2 * s;
                offsets.add(o);
            }
        }
        offsets.add(new double[] {outlier, 0, 0});
        int n = offsets.size();
        float[] rows = new float[n * d];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                rows[r * d + c] = (float) (centre[c] + offsets.get(r)[c]);
            }
        }
        // derivative along e_0 of the sum of distances, at c + t e_0 (offsets are exact in float here)
        java.util.function.DoubleUnaryOperator slope = t -> {
            double g = 0;
            for (double[] o : offsets) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double diff = (c == 0 ? t : 0) - o[c];
                    s += diff * diff;
                }
                g += (t - o[0]) / Math.sqrt(s);
            }
            return g;
        };
        double lo = -0.9;
        double hi = 0.9; // the nearest data points on the line are at t = ±2
        assertTrue(slope.applyAsDouble(lo) < 0 && slope.applyAsDouble(hi) > 0, "the minimum is inside the bracket");
        for (int it = 0; it < 200; it++) {
            double mid = (lo + hi) / 2;
            if (slope.applyAsDouble(mid) > 0) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        double t = (lo + hi) / 2;
        double[] want = {centre[0] + t, centre[1], centre[2]};

        float[] median = GeometricMedian.of(rows, n, d);
        double[] got = toDouble(median);
        for (int c = 0; c < d; c++) {
            assertEquals(want[c], got[c], 1e-5, "median coordinate " + c);
        }
        assertTrue(t > 0 && t < 0.5, "the outlier pulls the median only a little: t = " + t);
        assertTrue(distance(mean(rows, n, d), centre) > 5, "while the mean moves far");
        assertBruteForceMinimum(rows, n, d, median, 1e-3);
    }

    /**
     * The mean of (0,0), (2,0), (−1,1), (−1,−1) is the data point (0,0), and that point is the median:
     * the unit vectors from it to the others sum to (1 − √2, 0), of norm below its own weight 1.
     */
    @Test
    void firstIterateOnADataPointThatIsTheMedian() {
        float[] rows = {0, 0, 2, 0, -1, 1, -1, -1};
        float[] median = GeometricMedian.of(rows, 4, 2);
        assertEquals(0, median[0], 1e-5);
        assertEquals(0, median[1], 1e-5);
        assertBruteForceMinimum(rows, 4, 2, median, 1e-3);
    }

    /**
     * The mean of (0,0), (3,0), (−1,1), (−1,−1), (−1,0) is the data point (0,0), but here the unit
     * vectors to the others sum to (−√2, 0), of norm above 1, so the median lies elsewhere: the
     * algorithm must move off the data point instead of stopping (or dividing by zero) there.
     */
    @Test
    void firstIterateOnADataPointThatIsNotTheMedian() {
        float[] rows = {0, 0, 3, 0, -1, 1, -1, -1, -1, 0};
        float[] median = GeometricMedian.of(rows, 5, 2);
        assertTrue(Float.isFinite(median[0]) && Float.isFinite(median[1]));
        assertTrue(median[0] < -0.1, "moved off (0, 0) towards the three points on the left: " + median[0]);
        assertEquals(0, median[1], 1e-5, "on the symmetry axis");
        assertBruteForceMinimum(rows, 5, 2, median, 1e-3);
    }

    @Test
    void identicalPointsAreTheirOwnMedian() {
        float[] rows = {0.5f, -3f, 7f, 0.5f, -3f, 7f, 0.5f, -3f, 7f};
        assertArrayEquals(new float[] {0.5f, -3f, 7f}, GeometricMedian.of(rows, 3, 3), 1e-6f);
    }
}
