package saelab.intervene.stats;

/**
 * Per-token edits Δx as row-major float arrays {@code [tokens, d_model]}, the form the controls share: the
 * per-token norms ‖Δx_t‖ of a real edit, and an edit that moves every token along one direction by a given amount.
 */
public final class TokenEdits {

    private TokenEdits() {}

    /**
     * The Euclidean norm of each token's row, accumulated in double.
     *
     * @param deltaX Δx [tokens · dModel]
     * @throws IllegalArgumentException when the length is not a multiple of {@code dModel} or a value is not finite
     */
    public static float[] norms(float[] deltaX, int dModel) {
        if (dModel <= 0 || deltaX.length % dModel != 0) {
            throw new IllegalArgumentException("an edit of " + deltaX.length + " values is not a whole number of tokens of d_model="
                    + dModel);
        }
        float[] out = new float[deltaX.length / dModel];
        for (int t = 0; t < out.length; t++) {
            double s = 0;
            for (int j = t * dModel; j < (t + 1) * dModel; j++) {
                if (!Float.isFinite(deltaX[j])) {
                    throw new IllegalArgumentException("the edit of token " + t + " holds " + deltaX[j] + " at dimension " + (j - t * dModel)
                            + "; expected finite values");
                }
                s += (double) deltaX[j] * deltaX[j];
            }
            out[t] = (float) Math.sqrt(s);
        }
        return out;
    }

    /**
     * Δx_t = a_t · u for every token t: a negative amount moves the token along −u, so the norm of token t is |a_t|
     * when u is a unit vector.
     *
     * @param unit    u [dModel]
     * @param amounts a_t [tokens], finite
     */
    public static float[] along(float[] unit, float[] amounts) {
        requireFiniteAmounts(amounts);
        int d = unit.length;
        float[] out = new float[Math.multiplyExact(amounts.length, d)];
        for (int t = 0; t < amounts.length; t++) {
            for (int j = 0; j < d; j++) {
                out[t * d + j] = (float) ((double) amounts[t] * unit[j]);
            }
        }
        return out;
    }

    static void requireFiniteAmounts(float[] amounts) {
        for (int t = 0; t < amounts.length; t++) {
            if (!Float.isFinite(amounts[t])) {
                throw new IllegalArgumentException("the edit norm of token " + t + " is " + amounts[t] + "; expected a finite value");
            }
        }
    }
}
