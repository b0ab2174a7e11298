package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A latent planted on an MLP neuron's output column scores 1; random latents score like random directions. */
class NeuronAlignmentTest {

    @Test
    void plantedLatentIsAlignedOthersAtBaseline() {
        int d = 64;
        int m = 256;
        int n = 200;
        SplittableRandom rng = new SplittableRandom(3);
        float[] wOut = new float[d * m];
        for (int i = 0; i < wOut.length; i++) {
            wOut[i] = (float) rng.nextGaussian();
        }
        float[] enc = new float[n * d];
        float[] dec = new float[n * d];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) rng.nextGaussian();
            dec[i] = (float) rng.nextGaussian();
        }
        // latent 0: decoder = -3 x column 17, encoder = 0.5 x column 99
        for (int i = 0; i < d; i++) {
            dec[i] = -3f * wOut[i * m + 17];
            enc[i] = 0.5f * wOut[i * m + 99];
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1000 + i;
        }
        NeuronAlignment a;
        try (NDManager nd = NDManager.newBaseManager()) {
            a = NeuronAlignment.of(ids, enc, dec, wOut, d, m, 256, 11, nd);
        }
        assertEquals(1.0, a.decMax()[0], 1e-5);
        assertEquals(17, a.decNeuron()[0]);
        assertEquals(1.0, a.encMax()[0], 1e-5);
        assertEquals(99, a.encNeuron()[0]);
        double mean = 0;
        for (int i = 1; i < n; i++) {
            mean += a.decMax()[i] / (double) (n - 1);
        }
        // the random latents' mean max |cos| matches the random-direction baseline to within 3 standard errors
        double se = a.randomSd() * Math.sqrt(1.0 / (n - 1) + 1.0 / 256);
        assertEquals(a.randomMean(), mean, 3 * se + 1e-3, "mean " + mean + " vs baseline " + a.randomMean());
        // and sits near the asymptotic value sqrt(2 ln m / d) = 0.41 (within 30 %: the asymptotics are slow)
        assertEquals(a.theory(), a.randomMean(), 0.3 * a.theory());
        assertTrue(a.randomMean() < 0.7);
    }

    @Test
    void latentsBeyondOneChunkAndTheBaselineDistribution() {
        int d = 16;
        int m = 48;
        int n = NeuronAlignment.CHUNK + 37;
        SplittableRandom rng = new SplittableRandom(5);
        float[] wOut = new float[d * m];
        for (int i = 0; i < wOut.length; i++) {
            wOut[i] = (float) rng.nextGaussian();
        }
        float[] enc = new float[n * d];
        float[] dec = new float[n * d];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) rng.nextGaussian();
            dec[i] = (float) rng.nextGaussian();
        }
        int planted = NeuronAlignment.CHUNK + 20; // in the second chunk of rows
        for (int i = 0; i < d; i++) {
            dec[planted * d + i] = 2f * wOut[i * m + 41];
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        NeuronAlignment a;
        try (NDManager nd = NDManager.newBaseManager()) {
            a = NeuronAlignment.of(ids, enc, dec, wOut, d, m, 300, 2, nd);
        }
        assertEquals(1.0, a.decMax()[planted], 1e-5);
        assertEquals(41, a.decNeuron()[planted]);
        assertTrue(a.decMax()[planted - 1] < 0.999, "neighbouring row " + a.decMax()[planted - 1]);
        assertEquals(300, a.randomMax().length);
        double mean = 0;
        for (float v : a.randomMax()) {
            assertTrue(v > 0 && v <= 1.0f + 1e-6f, "max |cos| " + v);
            mean += v / 300.0;
        }
        assertEquals(a.randomMean(), mean, 1e-6);
    }

    @Test
    void summaryQuantilesAreNumpysLinearDefinition() {
        // numpy.quantile([1, 2, 3, 4], [0, .05, .25, .5, .75, .95, .99, 1]) = 1, 1.15, 1.75, 2.5, 3.25, 3.85, 3.97, 4
        AlignmentSummary.Stats s = AlignmentSummary.Stats.of(new float[] {4, 1, 3, 2});
        assertEquals(4, s.n());
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(1, s.min(), 1e-12);
        assertEquals(1.15, s.q05(), 1e-12);
        assertEquals(1.75, s.q25(), 1e-12);
        assertEquals(2.5, s.median(), 1e-12);
        assertEquals(3.25, s.q75(), 1e-12);
        assertEquals(3.85, s.q95(), 1e-12);
        assertEquals(3.97, s.q99(), 1e-12);
        assertEquals(4, s.max(), 1e-12);
        assertEquals(7, AlignmentSummary.Stats.of(new float[] {7}).q25(), 1e-12);
        assertTrue(Double.isNaN(AlignmentSummary.Stats.of(new float[0]).median()));
    }

    @Test
    void wrongShapesAreNamed() {
        try (NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NeuronAlignment.of(new int[] {0}, new float[4], new float[4], new float[7], 4, 2, 8, 0, nd));
            assertTrue(e.getMessage().contains("MLP output weight") && e.getMessage().contains("d_model x d_mlp"), e.getMessage());
        }
    }
}
