package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.PlantedDictionary;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.io.Verbosity;

/**
 * End-to-end check of the trainer on synthetic data with known features: a planted dictionary of
 * unit atoms, sparse non-negative codes with power-law atom frequencies, a little noise. A working
 * SAE finds every atom among its decoder rows, measured by the mean over atoms of the best cosine
 * with any decoder row (mmcs).
 */
class PlantedRecoveryTest {

    private static final int D = 32;
    private static final int ATOMS = 64;
    private static final int ROWS = 20_000;

    private static PlantedDictionary dict;
    private static Npy.Matrix data;

    @BeforeAll
    static void plant() {
        dict = PlantedDictionary.random(D, ATOMS, 7);
        PlantedDictionary.Sample s = dict.sample(ROWS, 4, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 11);
        data = new Npy.Matrix(ROWS, D, s.x());
    }

    /** Mean over planted atoms of the largest cosine with any row of {@code wDec} [rows, D]. */
    static double mmcs(float[] atoms, int nAtoms, float[] wDec, int rows, int d) {
        double total = 0;
        for (int a = 0; a < nAtoms; a++) {
            double best = -1;
            for (int r = 0; r < rows; r++) {
                double dot = 0;
                double na = 0;
                double nr = 0;
                for (int c = 0; c < d; c++) {
                    double u = atoms[a * d + c];
                    double v = wDec[r * d + c];
                    dot += u * v;
                    na += u * u;
                    nr += v * v;
                }
                best = Math.max(best, dot / Math.sqrt(na * nr + 1e-30));
            }
            total += best;
        }
        return total / nAtoms;
    }

    private static double trainAndScore(SaeConfig cfg, Path dir) throws IOException {
        SaeTrainer.Result r = SaeTrainer.train(cfg, start -> new MatrixBatches(data, cfg.seed(), start, "planted"), dir,
                new SaeTrainer.Options(0, 0, Verbosity.QUIET), new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(cfg.steps(), r.steps());
        Safetensors.Contents c = Safetensors.read(r.checkpoint());
        float[] wDec = c.require(r.checkpoint(), "W_dec", cfg.dSae(), D).values();
        double score = mmcs(dict.atoms(), ATOMS, wDec, cfg.dSae(), D);
        System.out.printf("planted recovery %s: mmcs %.4f, last mse %.5f, l0 %.2f, dead %d%n", cfg.kind().id(), score,
                r.last().mse(), r.last().l0(), r.deadLatents());
        return score;
    }

    /*
     * Settings, chosen by sweeping seeds (init/data order 1-5 with this data): the ReLU SAE at l1 1e-2
     * stays too dense (L0 ~20) and reaches only ~0.94 in 3000 steps; at 5e-2 it reaches 0.990-0.996
     * in 2500 steps. The TopK SAE with k 8 > the data's L0 (~4) and d_sae 128 plateaus at 0.91-0.95
     * (so does the same SAE trained in PyTorch on the same data); with d_sae 256 and
     * batch 2048 it reaches 0.950-0.959 in 1000 steps.
     */

    @Test
    void reluSaeRecoversThePlantedAtoms(@TempDir Path dir) throws IOException {
        SaeConfig cfg = SaeConfig.builder(SaeKind.RELU, D, 128).l1(5e-2).lr(2e-3).warmupSteps(100).batchSize(512).steps(2500)
                .seed(1).build();
        double score = trainAndScore(cfg, dir);
        assertTrue(score >= 0.95, "ReLU SAE mmcs " + score + " < 0.95");
    }

    @Test
    void topKSaeRecoversThePlantedAtoms(@TempDir Path dir) throws IOException {
        SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, D, 256).k(8).lr(2e-3).warmupSteps(100).batchSize(2048).steps(1000)
                .seed(1).build();
        double score = trainAndScore(cfg, dir);
        assertTrue(score >= 0.93, "TopK SAE mmcs " + score + " < 0.93");
    }

    @Test
    void mmcsOfTheAtomsThemselvesIsOne() {
        assertEquals(1.0, mmcs(dict.atoms(), ATOMS, dict.atoms(), ATOMS, D), 1e-6);
        // a scaled, shuffled copy with extra rows still scores 1; a random dictionary does not
        float[] padded = new float[(ATOMS + 3) * D];
        for (int a = 0; a < ATOMS; a++) {
            for (int c = 0; c < D; c++) {
                padded[((a * 7) % ATOMS) * D + c] = 2.5f * dict.atoms()[a * D + c];
            }
        }
        assertEquals(1.0, mmcs(dict.atoms(), ATOMS, padded, ATOMS + 3, D), 1e-6);
        PlantedDictionary other = PlantedDictionary.random(D, ATOMS, 99);
        assertTrue(mmcs(dict.atoms(), ATOMS, other.atoms(), ATOMS, D) < 0.8);
    }
}
