package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Exact F1 / AUROC of {@link RankScores} against brute force over every threshold and every pair. */
class RankScoresTest {

    @Test
    void matchesBruteForceWithTies() {
        SplittableRandom rng = new SplittableRandom(7);
        int classes = 3;
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + rng.nextInt(60);
            short[] y = new short[n];
            float[] full = new float[n];
            int[] unit = new int[n];
            float[] val = new float[n];
            int m = 0;
            boolean dense = trial % 2 == 0;
            for (int i = 0; i < n; i++) {
                y[i] = (short) rng.nextInt(classes);
                float v = dense ? (rng.nextInt(9) - 4) * 0.5f : (rng.nextBoolean() ? 0f : rng.nextInt(5) * 0.25f + 0.25f);
                full[i] = v;
                if (dense || v > 0) {
                    unit[m] = i;
                    val[m++] = v;
                }
            }
            // listed units in a scrambled order
            for (int i = m - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tu = unit[i];
                unit[i] = unit[j];
                unit[j] = tu;
                float tv = val[i];
                val[i] = val[j];
                val[j] = tv;
            }
            RankScores rs = new RankScores(y, n, classes);
            double[] f1 = new double[classes];
            double[] auc = new double[classes];
            float[] thr = new float[classes];
            rs.score(unit, val, m, dense ? Float.NEGATIVE_INFINITY : 0f, f1, thr, auc);
            for (int c = 0; c < classes; c++) {
                long pos = 0;
                for (short v : y) {
                    pos += v == c ? 1 : 0;
                }
                double wantF1 = Double.NaN;
                double wantAuc = Double.NaN;
                if (pos > 0) {
                    TreeSet<Float> ts = new TreeSet<>();
                    for (float v : full) {
                        ts.add(v);
                    }
                    wantF1 = 0;
                    for (float t : ts) {
                        long tp = 0;
                        long pred = 0;
                        for (int i = 0; i < n; i++) {
                            if (full[i] >= t) {
                                pred++;
                                tp += y[i] == c ? 1 : 0;
                            }
                        }
                        double p = (double) tp / pred;
                        double r = (double) tp / pos;
                        wantF1 = Math.max(wantF1, tp == 0 ? 0 : 2 * p * r / (p + r));
                    }
                }
                if (pos > 0 && pos < n) {
                    double u = 0;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            if (y[i] == c && y[j] != c) {
                                u += full[i] > full[j] ? 1 : full[i] == full[j] ? 0.5 : 0;
                            }
                        }
                    }
                    wantAuc = u / (pos * (n - pos));
                }
                String at = "trial " + trial + " class " + c;
                assertEquals(wantF1, f1[c], 1e-12, at);
                assertEquals(wantAuc, auc[c], 1e-12, at);
                if (pos > 0) {
                    // the reported threshold achieves the reported F1
                    long tp = 0;
                    long pred = 0;
                    for (int i = 0; i < n; i++) {
                        if (full[i] >= thr[c]) {
                            pred++;
                            tp += y[i] == c ? 1 : 0;
                        }
                    }
                    assertEquals(f1[c], 2.0 * tp / (pred + pos), 1e-12, at);
                }
            }
        }
    }

    @Test
    void perfectAndReversedColumns() {
        short[] y = {1, 0, 1, 0, 0};
        RankScores rs = new RankScores(y, 5, 2);
        double[] f1 = new double[2];
        double[] auc = new double[2];
        rs.score(new int[] {0, 2}, new float[] {2f, 1f}, 2, 0f, f1, null, auc);
        assertEquals(1.0, f1[1]);
        assertEquals(1.0, auc[1]);
        assertEquals(0.0, auc[0]);
        assertTrue(f1[0] > 0 && f1[0] < 1);
    }
}
