package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The small parts: schedule, AdamW update and clipping, masks, retrieval chance, probe baseline, init scale. */
class ToyPiecesTest {

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() {
        ToySchedule s = new ToySchedule(1.0, 4, 104, 0.01);
        assertEquals(0.25, s.at(0), 1e-12);
        assertEquals(1.0, s.at(3), 1e-12);
        assertEquals(1.0, s.at(4), 1e-12);
        assertEquals(0.01 + 0.99 * 0.5, s.at(4 + 99 / 2), 0.02);
        assertEquals(0.01, s.at(103), 1e-12);
        assertEquals(5, ToySchedule.of(1e-3, 100).warmup());
    }

    @Test
    void adamWMatchesTheTorchUpdateOnOneStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f});
            NDArray bias = m.create(new float[] {0.5f});
            NDArray g = m.create(new float[] {0.1f, 0.3f});
            NDArray gb = m.create(new float[] {-0.2f});
            try (ToyAdamW opt = new ToyAdamW(List.of(p, bias), List.of(WeightDecay.APPLIED, WeightDecay.EXEMPT), m)) {
                double lr = 0.01;
                opt.step(List.of(g, gb), lr);
                // step 1: m = (1-b1) g, v = (1-b2) g^2, mhat = g, vhat = g^2 -> p -= lr g / (|g| + eps) after decay
                double[] expect = {1 * (1 - lr * ToyAdamW.WEIGHT_DECAY) - lr * 0.1 / (0.1 + ToyAdamW.EPS),
                    -2 * (1 - lr * ToyAdamW.WEIGHT_DECAY) - lr * 0.3 / (0.3 + ToyAdamW.EPS)};
                float[] got = p.toFloatArray();
                assertEquals(expect[0], got[0], 1e-6);
                assertEquals(expect[1], got[1], 1e-6);
                assertEquals(0.5 + lr * 0.2 / (0.2 + ToyAdamW.EPS), bias.toFloatArray()[0], 1e-6, "no decay on a bias");
            }
        }
    }

    @Test
    void clippingScalesToTheGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3f, 0f});
            NDArray b = m.create(new float[] {4f});
            assertEquals(5.0, ToyAdamW.clip(List.of(a, b), 1.0), 1e-6);
            assertEquals(0.6, a.toFloatArray()[0], 1e-5);
            assertEquals(0.8, b.toFloatArray()[0], 1e-5);
            assertEquals(1.0, ToyAdamW.clip(List.of(a, b), 2.0), 1e-5, "below the limit: unchanged");
            assertEquals(0.6, a.toFloatArray()[0], 1e-5);
        }
    }

    @Test
    void masksHaveExactlyTheRatioPerImage() {
        float[] mask = ToyMaskedPatchObjective.drawMask(new SplittableRandom(1), 5, 64, 0.5);
        for (int i = 0; i < 5; i++) {
            int n = 0;
            for (int j = 0; j < 64; j++) {
                n += (int) mask[i * 64 + j];
            }
            assertEquals(32, n);
        }
        assertArrayEquals(mask, ToyMaskedPatchObjective.drawMask(new SplittableRandom(1), 5, 64, 0.5), "seeded");
    }

    @Test
    void retrievalCountsEqualCaptionTextsAndChanceFromTheCandidates() {
        List<String> captions = List.of("a red circle", "a red circle", "a blue square", "two green rings");
        float[][] logits = {
            {0, 5, 1, 1}, // picks the duplicate caption: a hit
            {0, 0, 9, 1}, // wrong
            {0, 0, 9, 1}, // right
            {9, 0, 0, 1}, // wrong
        };
        CaptionRetrieval.Tally t = CaptionRetrieval.score(logits, captions);
        assertEquals(2, t.hits());
        assertEquals(0.5, t.rate(), 1e-12);
        assertEquals((0.5 + 0.5 + 0.25 + 0.25) / 4, t.chanceRate(), 1e-12);
    }

    @Test
    void probeChanceIsTheTrainingMajorityOnTheTestSplit() {
        double[][] x = {{0}, {1}, {2}, {3}, {4}};
        int[] y = {7, 7, 7, 3, 3};
        LinearProbe.Result r = LinearProbe.fitAndScore(x, y, new double[][] {{0}, {1}, {9}}, new int[] {7, 3, 3});
        assertEquals(1.0 / 3, r.chance(), 1e-12);
        assertEquals(3, LinearProbe.majority(new int[] {7, 3, 7, 3}), "a tie goes to the smaller label");
        assertEquals(7, LinearProbe.majority(new int[] {7, 3, 7}));
    }

    @Test
    void initScaleIsViTs002AtWidth768() {
        assertEquals(0.02, ToyParameters.initStd(768), 1e-12);
        assertTrue(ToyParameters.initStd(64) > 0.06 && ToyParameters.initStd(64) < 0.07);
    }
}
