package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.ActivationCache;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/**
 * The TopK fast path of {@link FeaturePass} (top-k indices and values straight from libtorch) gives the result of the
 * generic path (dense codes of {@link Sae#encode}, then nonzero), at several batch sizes, with the SAE's k both below and
 * above the number of positive pre-activations: the same counts, histograms and top-k indices exactly, and the same values
 * up to float32 rounding. Values are not compared bit for bit because libtorch's CPU kernels choose the summation order of
 * the encoder's matrix product by the batch's shape and the processor (on an AMD EPYC host a one-row batch gave
 * 16.76773927 where the 50-row batch gave 16.76773918; on the earlier Intel hosts they were identical).
 */
class FeaturePassTopKTest {

    @TempDir
    Path tmp;

    @Test
    void topKPathEqualsGenericPath() throws IOException {
        Path dir = tmp.resolve("cache");
        SyntheticCache.write(dir, 23, 10, 8, StorageDtype.F32, 1, 0, 5, 1L << 20, Verbosity.QUIET);
        try (NDManager nd = NDManager.newBaseManager(); ActivationCache c = ActivationCache.open(dir)) {
            for (int saeK : new int[] {3, 40}) { // 40 > d_sae/2: many selected pre-activations are negative
                SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, 8, 48).k(saeK).lr(4e-4).batchSize(64).steps(1).seed(3).build();
                try (Sae sae = Sae.initialise(cfg, nd)) {
                    int[] all = LatentSelection.parse(null, 48, "test");
                    AnalysisResult ref = FeaturePass.run(c, sae, "r", nd, new FeaturePass.Options(0, 4, 50, all, Verbosity.QUIET),
                            FeaturePass.Encoding.GENERIC);
                    long fired = 0;
                    for (long f : ref.fires()) {
                        fired += f;
                    }
                    assertTrue(fired > 0, "the random SAE fires somewhere");
                    for (int batch : new int[] {1, 10, 37, 4096}) {
                        AnalysisResult got = FeaturePass.run(c, sae, "r", nd, new FeaturePass.Options(0, 4, batch, all, Verbosity.QUIET));
                        String msg = "SAE k " + saeK + ", batch " + batch;
                        assertArrayEquals(ref.fires(), got.fires(), msg);
                        assertClose(ref.sum(), got.sum(), msg);
                        assertClose(toDouble(ref.max()), toDouble(got.max()), msg);
                        assertArrayEquals(ref.clsFires(), got.clsFires(), msg);
                        assertClose(ref.clsSum(), got.clsSum(), msg);
                        assertArrayEquals(ref.histograms(), got.histograms(), msg);
                        for (TopKLists.Sorted[] p : new TopKLists.Sorted[][] {{ref.topImages(), got.topImages()},
                                {ref.topPatches(), got.topPatches()}, {ref.topCls(), got.topCls()}}) {
                            assertClose(toDouble(p[0].values()), toDouble(p[1].values()), msg);
                            assertArrayEquals(p[0].images(), p[1].images(), msg);
                            assertArrayEquals(p[0].patches(), p[1].patches(), msg);
                        }
                    }
                    if (saeK == 3) {
                        // at most k codes per token fire
                        assertTrue(fired <= 3L * 23 * 9, "fires " + fired);
                    }
                }
            }
        }
    }

    /** Element-wise equal within float32 rounding: |a - b| <= 1e-6 * max(|a|, |b|) + 1e-9. */
    private static void assertClose(double[] expected, double[] actual, String msg) {
        assertEquals(expected.length, actual.length, msg);
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-6 * Math.max(Math.abs(expected[i]), Math.abs(actual[i])) + 1e-9;
            assertEquals(expected[i], actual[i], tol, msg + ", element " + i);
        }
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void benchmarkReportsItsFigures() throws IOException {
        AnalysisBenchmark.Result r = AnalysisBenchmark.run(16, 64, 4, 9, 90, 40, 8, tmp, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()));
        assertEquals(100, r.tokens(), "10 images x (9 patches + CLS)");
        assertTrue(r.tokensPerSecond() > 0 && r.matmulFraction() > 0 && r.peakHeapBytes() > 0, r.toString());
        try (var s = java.nio.file.Files.list(tmp)) {
            assertEquals(0, s.count(), "the temporary cache is deleted");
        }
    }
}
