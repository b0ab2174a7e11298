package saelab.sae;

/**
 * The geometric median of a set of points (the point minimising the sum of Euclidean distances),
 * by Weiszfeld's algorithm (Weiszfeld 1937). A data point that the iterate lands on is left out of
 * that iteration's weights (the simple guard; Vardi and Zhang, "The multivariate L1-median and
 * associated data depth", PNAS 2000, also test whether that point is itself the median and stop there,
 * which is not done: the iterate then leaves the point and converges back to it, to within the
 * tolerance). Used to initialise an SAE's b_dec (as Bricken et al. 2023 suggest). Hand-written: the
 * loop is a few lines and no library here offers it.
 */
final class GeometricMedian {

    static final int MAX_ITERATIONS = 200;
    static final double TOLERANCE = 1e-7;

    private GeometricMedian() {}

    /**
     * The geometric median of {@code n} rows of width {@code d} (row-major), starting from the mean
     * and stopping when an iteration moves less than {@value #TOLERANCE} relative to the median's norm
     * (or after {@value #MAX_ITERATIONS} iterations).
     */
    static float[] of(float[] rows, int n, int d) {
        double[] y = new double[d];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                y[c] += rows[r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            y[c] /= n;
        }
        double[] next = new double[d];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            java.util.Arrays.fill(next, 0);
            double weights = 0;
            for (int r = 0; r < n; r++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double diff = rows[r * d + c] - y[c];
                    s += diff * diff;
                }
                double dist = Math.sqrt(s);
                if (dist < 1e-12) {
                    continue;
                }
                double w = 1 / dist;
                weights += w;
                for (int c = 0; c < d; c++) {
                    next[c] += w * rows[r * d + c];
                }
            }
            if (weights == 0) {
                break;
            }
            double move = 0;
            double norm = 0;
            for (int c = 0; c < d; c++) {
                next[c] /= weights;
                move += (next[c] - y[c]) * (next[c] - y[c]);
                norm += next[c] * next[c];
                y[c] = next[c];
            }
            if (Math.sqrt(move) <= TOLERANCE * Math.max(1, Math.sqrt(norm))) {
                break;
            }
        }
        float[] out = new float[d];
        for (int c = 0; c < d; c++) {
            out[c] = (float) y[c];
        }
        return out;
    }
}
