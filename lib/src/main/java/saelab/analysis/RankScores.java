package saelab.analysis;

import java.util.Arrays;

/**
 * Exact one-vs-rest scores of one real-valued score column (a latent's activations, or a projection
 * on a direction) against the class labels of the same N units: for every class c at once,
 * <ul>
 *   <li>the best F1 over thresholds, F1 = 2PR/(P+R) = 2TP/(predicted + positives), predicting
 *       "positive" when score &ge; t, with t scanned exactly over the distinct score values (the
 *       best threshold always sits on a value that some positive unit takes, so only those are
 *       evaluated, which gives the same maximum); ties keep the higher threshold;</li>
 *   <li>the AUROC as the Mann–Whitney statistic, U / (n⁺ n⁻) with tied pairs counted ½ (Hanley &amp;
 *       McNeil 1982, "The meaning and use of the area under a ROC curve", Radiology 143; Fawcett
 *       2006, "An introduction to ROC analysis", Pattern Recognition Letters 27).</li>
 * </ul>
 * The column is given sparsely: the listed units with their values, and the other units tied at one
 * value {@code rest} below every listed value (0 for SAE codes, which are never negative). Cost:
 * one sort of the listed values plus O(listed + classes); no per-class pass over the units.
 * Not thread-safe (scratch arrays are reused).
 */
final class RankScores {

    private final short[] label;
    private final int n;
    private final int classes;
    private final long[] positives;
    private final long[] posAbove;
    private final double[] aucNum;
    private final int[] inGroup;
    private final int[] touched;
    private long[] keys = new long[0];

    /**
     * @param label   class of each unit, 0..classes−1
     * @param n       units (the first n entries of {@code label})
     * @param classes number of classes
     */
    RankScores(short[] label, int n, int classes) {
        this.label = label;
        this.n = n;
        this.classes = classes;
        this.positives = new long[classes];
        for (int i = 0; i < n; i++) {
            int y = label[i];
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("unit " + i + " has label " + y + "; expected 0.." + (classes - 1));
            }
            positives[y]++;
        }
        this.posAbove = new long[classes];
        this.aucNum = new double[classes];
        this.inGroup = new int[classes];
        this.touched = new int[classes];
    }

    long positives(int c) {
        return positives[c];
    }

    int units() {
        return n;
    }

    /**
     * Scores one column.
     *
     * @param unit   listed units (indices into the labels), distinct
     * @param value  their scores, all &gt; {@code rest}
     * @param m      how many are listed
     * @param rest   the score of every unit not listed
     * @param f1     out [classes]: best F1
     * @param thr    out [classes]: its threshold (score &ge; thr predicts the class); may be null
     * @param auc    out [classes]: AUROC, NaN when a class has no positive or no negative unit
     */
    void score(int[] unit, float[] value, int m, float rest, double[] f1, float[] thr, double[] auc) {
        if (keys.length < m) {
            keys = new long[Math.max(m, keys.length * 3 / 2)];
        }
        for (int i = 0; i < m; i++) {
            int bits = Float.floatToIntBits(value[i]);
            bits ^= (bits >> 31) & 0x7fffffff; // order-preserving map of floats to signed ints
            keys[i] = ((long) bits << 32) | i;
        }
        Arrays.sort(keys, 0, m);
        Arrays.fill(posAbove, 0);
        Arrays.fill(aucNum, 0);
        Arrays.fill(f1, 0);
        if (thr != null) {
            Arrays.fill(thr, Float.NaN);
        }
        long above = 0;
        int end = m; // walk from the largest value down, one tie group at a time
        while (end > 0) {
            int top = (int) (keys[end - 1] >>> 32);
            int start = end - 1;
            while (start > 0 && (int) (keys[start - 1] >>> 32) == top) {
                start--;
            }
            int nt = 0;
            for (int i = start; i < end; i++) {
                int y = label[unit[(int) keys[i]]];
                if (inGroup[y]++ == 0) {
                    touched[nt++] = y;
                }
            }
            long group = end - start;
            float v = value[(int) keys[start]];
            for (int t = 0; t < nt; t++) {
                int c = touched[t];
                long a = inGroup[c];
                inGroup[c] = 0;
                long neg = n - positives[c];
                long negBelow = neg - (above - posAbove[c]) - (group - a);
                aucNum[c] += a * (double) negBelow + 0.5 * a * (double) (group - a);
                posAbove[c] += a;
                double f = 2.0 * posAbove[c] / (above + group + positives[c]);
                if (f > f1[c]) {
                    f1[c] = f;
                    if (thr != null) {
                        thr[c] = v;
                    }
                }
            }
            above += group;
            end = start;
        }
        long restUnits = n - m;
        for (int c = 0; c < classes; c++) {
            long a = positives[c] - posAbove[c];
            aucNum[c] += 0.5 * a * (double) (restUnits - a);
            if (restUnits > 0 && a > 0) {
                double f = 2.0 * positives[c] / (n + positives[c]);
                if (f > f1[c]) {
                    f1[c] = f;
                    if (thr != null) {
                        thr[c] = rest;
                    }
                }
            }
            long neg = n - positives[c];
            if (positives[c] == 0) {
                f1[c] = Double.NaN;
            }
            auc[c] = positives[c] == 0 || neg == 0 ? Double.NaN : aucNum[c] / ((double) positives[c] * neg);
        }
    }
}
