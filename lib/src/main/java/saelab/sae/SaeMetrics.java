package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Quality metrics of an SAE over a set of activations, accumulated batch by batch in float64.
 *
 * <ul>
 *   <li><b>L0</b>: mean number of non-zero codes per row.</li>
 *   <li><b>MSE</b>: mean over rows and dimensions of (x̂ − x)².</li>
 *   <li><b>normalised MSE</b> = SSE(SAE) / SSE(predicting the per-dimension mean of the data), the
 *       fraction of variance unexplained (as saev defines it; see also Gao et al. 2024, "Scaling and
 *       evaluating sparse autoencoders", normalised MSE); <b>explained variance</b> = 1 − normalised MSE.</li>
 *   <li>per latent: <b>firing frequency</b> (share of rows where the code is non-zero) and <b>mean
 *       value when firing</b>; <b>dead</b> latents never fire, <b>almost dead</b> ones fire with
 *       frequency &lt; 1e-7, <b>dense</b> ones with frequency &gt; 1e-2 (saev's thresholds).</li>
 *   <li><b>decoder coherence</b>: the largest |cosine| between two different decoder rows
 *       (Elad, "Sparse and Redundant Representations", 2010, mutual coherence).</li>
 * </ul>
 */
public final class SaeMetrics {

    private final int dSae;
    private final int dModel;
    private long rows;
    private double sse;
    private double l0Sum;
    private final double[] sumX;
    private final double[] sumX2;
    private final long[] fires;
    private final double[] valueSum;

    /**
     * The finished metrics.
     *
     * @param rows            rows evaluated
     * @param l0              mean active latents per row
     * @param mse             mean squared error
     * @param normalizedMse   fraction of variance unexplained
     * @param explainedVariance 1 − normalized MSE
     * @param dead            latents that never fired
     * @param almostDead      latents with frequency below 1e-7 (dead included)
     * @param dense           latents with frequency above 1e-2
     * @param decoderCoherence max |cos| between distinct decoder rows
     * @param frequency       per-latent firing frequency [d_sae]
     * @param meanValue       per-latent mean code when firing [d_sae] (0 for dead latents)
     */
    public record Result(long rows, double l0, double mse, double normalizedMse, double explainedVariance, int dead,
                         int almostDead, int dense, double decoderCoherence, double[] frequency, double[] meanValue) {}

    public SaeMetrics(int dModel, int dSae) {
        this.dModel = dModel;
        this.dSae = dSae;
        this.sumX = new double[dModel];
        this.sumX2 = new double[dModel];
        this.fires = new long[dSae];
        this.valueSum = new double[dSae];
    }

    /** Adds a batch [B, d_model]. */
    public void add(Sae sae, NDArray x) {
        int b = (int) x.getShape().get(0);
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray codes = sae.encode(x);
            NDArray err = sae.decode(codes).subi(x);
            sse += err.toType(DataType.FLOAT64, false).square().sum().getDouble();
            NDArray on = codes.gt(0).toType(DataType.FLOAT32, false);
            float[] count = on.sum(new int[] {0}).toFloatArray();
            float[] vsum = codes.sum(new int[] {0}).toFloatArray();
            for (int i = 0; i < dSae; i++) {
                fires[i] += (long) count[i];
                valueSum[i] += vsum[i];
                l0Sum += count[i];
            }
            NDArray x64 = x.toType(DataType.FLOAT64, false);
            double[] s1 = x64.sum(new int[] {0}).toDoubleArray();
            double[] s2 = x64.square().sum(new int[] {0}).toDoubleArray();
            for (int j = 0; j < dModel; j++) {
                sumX[j] += s1[j];
                sumX2[j] += s2[j];
            }
        }
        rows += b;
    }

    /** The metrics of everything added so far (decoder coherence computed here, in blocks). */
    public Result finish(Sae sae) {
        if (rows == 0) {
            throw new IllegalStateException("no rows were evaluated");
        }
        double sseMean = 0;
        for (int j = 0; j < dModel; j++) {
            sseMean += sumX2[j] - sumX[j] * sumX[j] / rows;
        }
        double nmse = sse / sseMean;
        double[] freq = new double[dSae];
        double[] mean = new double[dSae];
        int dead = 0;
        int almost = 0;
        int dense = 0;
        for (int i = 0; i < dSae; i++) {
            freq[i] = (double) fires[i] / rows;
            mean[i] = fires[i] == 0 ? 0 : valueSum[i] / fires[i];
            if (fires[i] == 0) {
                dead++;
            }
            if (freq[i] < 1e-7) {
                almost++;
            }
            if (freq[i] > 1e-2) {
                dense++;
            }
        }
        return new Result(rows, l0Sum / rows, sse / ((double) rows * dModel), nmse, 1 - nmse, dead, almost, dense,
                coherence(sae), freq, mean);
    }

    /** Max |cos| between distinct decoder rows, in blocks of rows so memory stays O(block × d_sae). */
    static double coherence(Sae sae) {
        NDArray w = sae.wDec;
        int f = (int) w.getShape().get(0);
        if (f < 2) {
            return 0;
        }
        double best = 0;
        int block = Math.max(1, Math.min(f, (1 << 24) / f));
        try (NDManager scope = NDManager.subManagerOf(w)) {
            scope.tempAttachAll(w);
            NDArray unit = w.div(w.norm(new int[] {1}, true).maximum(1e-12f));
            for (int start = 0; start < f; start += block) {
                int n = Math.min(block, f - start);
                try (NDManager inner = scope.newSubManager()) {
                    inner.tempAttachAll(unit);
                    NDArray rowsBlock = unit.get(start + ":" + (start + n));
                    NDArray cos = rowsBlock.matMul(unit.transpose()).abs();
                    // blank the diagonal entries of this block
                    NDArray eye = inner.eye(n, f, start, DataType.FLOAT32);
                    cos.subi(eye.mul(cos));
                    best = Math.max(best, cos.max().getFloat());
                }
            }
        }
        return best;
    }
}
