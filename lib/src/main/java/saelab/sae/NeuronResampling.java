package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Neuron resampling of dead latents during training (see {@link #resample}). */
final class NeuronResampling {

    private NeuronResampling() {}

    /**
     * Resamples the given latents (Bricken et al., "Towards Monosemanticity", 2023, "neuron resampling"):
     * each takes an input row drawn with probability proportional to its squared reconstruction loss;
     * the decoder row becomes that input (minus b_dec where the encoder centres) normalised to unit
     * length, the encoder row the same direction scaled to 0.2 × the mean norm of the live encoder rows,
     * the encoder bias 0. The caller resets the optimiser state of these rows.
     *
     * @param latents the latents to resample
     * @param rows    candidate inputs [n, d_model], row-major
     * @param rng     the draw (seeded by the caller for repeatable runs)
     */
    static void resample(Sae sae, int[] latents, float[] rows, SplittableRandom rng) {
        if (latents.length == 0) {
            return;
        }
        int d = sae.config().dModel();
        int n = rows.length / d;
        double[] weight = new double[n];
        try (NDManager scope = sae.manager.newSubManager()) {
            NDArray x = scope.create(rows, new Shape(n, d));
            float[] err = sae.decode(sae.encode(x)).sub(x).square().sum(new int[] {1}).toFloatArray();
            double total = 0;
            for (int i = 0; i < n; i++) {
                weight[i] = (double) err[i] * err[i];
                total += weight[i];
            }
            float[] encRows = sae.wEnc.toFloatArray();
            float[] decRows = sae.wDec.toFloatArray();
            float[] bEncV = sae.bEnc.toFloatArray();
            float[] bDecV = sae.bDec.toFloatArray();
            boolean[] resampled = new boolean[sae.config().dSae()];
            for (int l : latents) {
                resampled[l] = true;
            }
            double aliveNorm = 0;
            int alive = 0;
            for (int i = 0; i < sae.config().dSae(); i++) {
                if (!resampled[i]) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += (double) encRows[i * d + c] * encRows[i * d + c];
                    }
                    aliveNorm += Math.sqrt(s);
                    alive++;
                }
            }
            double encNorm = 0.2 * (alive > 0 ? aliveNorm / alive : 1.0);
            for (int l : latents) {
                int row = draw(weight, total, rng);
                double s = 0;
                float[] v = new float[d];
                for (int c = 0; c < d; c++) {
                    v[c] = rows[row * d + c] - (sae.config().centered() ? bDecV[c] : 0f);
                    s += (double) v[c] * v[c];
                }
                double norm = Math.max(Math.sqrt(s), 1e-8);
                for (int c = 0; c < d; c++) {
                    decRows[l * d + c] = (float) (v[c] / norm);
                    encRows[l * d + c] = (float) (v[c] / norm * encNorm);
                }
                bEncV[l] = 0;
            }
            sae.wEnc.set(java.nio.FloatBuffer.wrap(encRows));
            sae.wDec.set(java.nio.FloatBuffer.wrap(decRows));
            sae.bEnc.set(java.nio.FloatBuffer.wrap(bEncV));
        }
    }

    private static int draw(double[] weight, double total, SplittableRandom rng) {
        if (!(total > 0)) {
            return rng.nextInt(weight.length);
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < weight.length; i++) {
            u -= weight[i];
            if (u < 0) {
                return i;
            }
        }
        return weight.length - 1;
    }
}
