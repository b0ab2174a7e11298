package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import saelab.io.AtomicFiles;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;

/**
 * Neuron alignment: how closely each SAE latent's encoder and decoder directions line up with a
 * single MLP neuron of the model at the recorded block. Neuron j writes along column j of the MLP's
 * output weight W_out [d_model, d_mlp] (PyTorch {@code Linear(d_mlp → d_model).weight}); per latent the
 * score is max_j |cos(u, W_out[:, j])| with its arg max, for u = the latent's encoder row and decoder row.
 *
 * <p>Baseline: R random unit directions (u ~ N(0, I)/‖·‖, seeded) scored the same way; each one's score,
 * their mean and standard deviation are reported with the asymptotic value √(2 ln m / d) (m = d_mlp): for m
 * independent unit vectors in d dimensions each cosine is about N(0, 1/d), and the maximum of m such
 * |values| grows like √(2 ln m) standard deviations (extreme values of Gaussians; this is an
 * approximation that the measured baseline replaces). A latent planted on a neuron scores 1.
 * {@link MlpOutputWeights} reads W_out of a model folder; {@link AlignmentSummary} summarises the result.
 *
 * @param latents   latent ids, in row order
 * @param encMax    per latent max |cos| of the encoder direction
 * @param encNeuron its neuron
 * @param decMax    per latent max |cos| of the decoder direction
 * @param decNeuron its neuron
 * @param randomMean mean max |cos| of the random directions
 * @param randomSd   their standard deviation
 * @param theory     √(2 ln m / d)
 * @param randomMax  per random direction its max |cos| (the baseline's distribution, in draw order)
 */
public record NeuronAlignment(int[] latents, float[] encMax, int[] encNeuron, float[] decMax, int[] decNeuron,
                              double randomMean, double randomSd, double theory, float[] randomMax) {

    static final int CHUNK = 1024;
    /** The header of {@link #writeCsv}. */
    public static final String CSV_HEADER = "latent,encoder_max_abs_cos,encoder_neuron,decoder_max_abs_cos,decoder_neuron";

    /**
     * Computes the alignment.
     *
     * @param wEncRows encoder directions [latents, d_model] (row i = latent {@code latents[i]})
     * @param wDecRows decoder directions [latents, d_model]
     * @param wOut     MLP output weight [d_model, d_mlp], row-major
     * @param dMlp     m
     * @param draws    R random directions for the baseline
     * @param seed     seed of the baseline
     * @param nd       where the products run
     * @throws IllegalArgumentException when an array's length does not fit the shapes
     */
    public static NeuronAlignment of(int[] latents, float[] wEncRows, float[] wDecRows, float[] wOut, int dModel, int dMlp,
                                     int draws, long seed, NDManager nd) {
        int n = latents.length;
        check("encoder", wEncRows, (long) n * dModel, "latents x d_model");
        check("decoder", wDecRows, (long) n * dModel, "latents x d_model");
        check("MLP output weight", wOut, (long) dModel * dMlp, "d_model x d_mlp");
        if (draws <= 0) {
            throw new IllegalArgumentException("random draws must be positive, got " + draws);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        float[] rand = new float[draws * dModel];
        for (int i = 0; i < rand.length; i++) {
            rand[i] = (float) rng.nextGaussian();
        }
        float[] encMax = new float[n];
        int[] encArg = new int[n];
        float[] decMax = new float[n];
        int[] decArg = new int[n];
        float[] randMax = new float[draws];
        int[] randArg = new int[draws];
        try (NDManager scope = nd.newSubManager()) {
            NDArray w = scope.create(wOut, new Shape(dModel, dMlp));
            NDArray wn = w.div(w.norm(new int[] {0}, true).maximum(1e-30f)); // unit columns
            maxAbsCos(scope, wn, wEncRows, n, dModel, encMax, encArg);
            maxAbsCos(scope, wn, wDecRows, n, dModel, decMax, decArg);
            maxAbsCos(scope, wn, rand, draws, dModel, randMax, randArg);
        }
        double mean = 0;
        for (float v : randMax) {
            mean += v / (double) draws;
        }
        double var = 0;
        for (float v : randMax) {
            var += (v - mean) * (v - mean) / Math.max(1, draws - 1);
        }
        return new NeuronAlignment(latents.clone(), encMax, encArg, decMax, decArg, mean, Math.sqrt(var),
                Math.sqrt(2 * Math.log(dMlp) / dModel), randMax);
    }

    /**
     * The alignment of an SAE checkpoint's latents with the MLP of {@code w}: encoder directions are the columns
     * of {@code W_enc} [d_model, d_sae], decoder directions the rows of {@code W_dec} [d_sae, d_model].
     *
     * @param saeName the checkpoint's path, for messages
     * @throws IllegalArgumentException when the SAE's d_model is not the model's residual width (naming both)
     */
    public static NeuronAlignment forSae(SaeCheckpoint.Arrays a, SaeConfig cfg, String saeName, int[] latents, MlpOutputWeights w,
                                         int draws, long seed, NDManager nd) {
        int d = cfg.dModel();
        int f = cfg.dSae();
        if (d != w.dModel()) {
            throw new IllegalArgumentException(saeName + ": the SAE has d_model " + d + ", but " + w.file() + ": tensor '" + w.tensor()
                    + "' writes a residual stream of width " + w.dModel() + " (shape [" + w.dModel() + ", " + w.dMlp()
                    + "]); the SAE was not trained on this model");
        }
        float[] enc = new float[latents.length * d];
        float[] dec = new float[latents.length * d];
        for (int r = 0; r < latents.length; r++) {
            int j = latents[r];
            if (j < 0 || j >= f) {
                throw new IllegalArgumentException("latent " + j + " is outside 0.." + (f - 1) + " of " + saeName);
            }
            for (int i = 0; i < d; i++) {
                enc[r * d + i] = a.wEnc()[i * f + j];
            }
            System.arraycopy(a.wDec(), j * d, dec, r * d, d);
        }
        return of(latents, enc, dec, w.wOut(), d, w.dMlp(), draws, seed, nd);
    }

    /** Max |cos| over unit columns {@code wn} [d, m] of each row of {@code rows} [n, d], in chunks of rows. */
    private static void maxAbsCos(NDManager parent, NDArray wn, float[] rows, int n, int d, float[] max, int[] arg) {
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            try (NDManager scope = parent.newSubManager()) {
                NDArray u = scope.create(java.nio.FloatBuffer.wrap(rows, start * d, len * d), new Shape(len, d));
                NDArray un = u.div(u.norm(new int[] {1}, true).maximum(1e-30f));
                NDArray cos = un.matMul(wn).abs();
                float[] m = cos.max(new int[] {1}).toFloatArray();
                long[] a = cos.argMax(1).toLongArray();
                for (int i = 0; i < len; i++) {
                    max[start + i] = m[i];
                    arg[start + i] = (int) a[i];
                }
            }
        }
    }

    private static void check(String what, float[] a, long expected, String shape) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException(what + " has " + (a == null ? "no" : a.length) + " values; expected " + shape
                    + " = " + expected);
        }
    }

    /**
     * Writes the alignment as CSV, one row per latent (the baselines are in {@link AlignmentSummary}):
     * {@code latent,encoder_max_abs_cos,encoder_neuron,decoder_max_abs_cos,decoder_neuron}.
     */
    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (int i = 0; i < latents.length; i++) {
            sb.append(latents[i]).append(',').append(encMax[i]).append(',').append(encNeuron[i]).append(',').append(decMax[i])
                    .append(',').append(decNeuron[i]).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
