package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

/**
 * The feature pass on a cache with planted activations read through an identity SAE (W_enc = I,
 * biases 0, ReLU), so every code is max(0, activation): the expected statistics and top lists come
 * from a brute-force reference over the planted numbers.
 */
class FeaturePassTest {

    /** CLS, one register, a 2 x 3 grid. */
    static final TokenLayout LAYOUT = new TokenLayout(true, 1, 2, 3);
    static final int P = 6;
    static final int T = 8;
    static final int D = 4;
    static final int N = 12;
    static final int LAYER = 3;
    static final int K = 3;

    private static NDManager nd;
    private static Sae sae;
    private static float[][][] acts; // [image][token][dim] as written (f32)

    @TempDir
    static Path tmp;

    private static Path cacheDir;

    @BeforeAll
    static void setUp() throws IOException {
        nd = NDManager.newBaseManager();
        sae = IdentitySae.of(D, nd);
        acts = new float[N][T][D];
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < D; j++) {
                    // multiples of 0.25 in [-2, 1.75]: many ties, many zeros and negatives
                    acts[i][t][j] = (rng.nextInt(16) - 8) * 0.25f;
                }
            }
            for (int j = 0; j < D; j++) {
                acts[i][1][j] = 100f; // the register: must be ignored
            }
        }
        // latent 0: two planted top patches, image 7 patch 4 (9.0) and image 2 patch 1 (5.0)
        acts[7][2 + 4][0] = 9f;
        acts[2][2 + 1][0] = 5f;
        // latent 1: a three-way tie of image maxima at 6.0 (images 9, 4, 6), k = 3 keeps them ordered 4, 6, 9
        acts[9][2][1] = 6f;
        acts[4][7][1] = 6f;
        acts[6][3][1] = 6f;
        acts[1][5][1] = 6f; // a fourth tie: image 1 ranks first
        // latent 2: never fires anywhere
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                if (t != 1) {
                    acts[i][t][2] = -1f;
                }
            }
        }
        // latent 3: CLS planted on images 10 (7.0) and 3 (8.0)
        acts[10][0][3] = 7f;
        acts[3][0][3] = 8f;
        cacheDir = tmp.resolve("cache");
        CacheSpec spec = new CacheSpec(new ModelRef("test/planted", null, null), new DatasetRef("planted", null, null), null,
                List.of(1, LAYER), LAYOUT, D, StorageDtype.F32, null, null);
        try (CacheWriter w = CacheWriter.create(cacheDir, spec, 5L * spec.bytesPerImage())) {
            for (int i = 0; i < N; i++) {
                float[] flat = new float[2 * T * D];
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < D; j++) {
                        flat[(T + t) * D + j] = acts[i][t][j]; // slot 1 = block LAYER
                        flat[t * D + j] = -50f;             // slot 0 = block 1: never read
                    }
                }
                w.append(List.of(new ImageRecord(i, "img" + i + ".png", -1)), flat, null);
            }
            w.finish();
        }
    }

    @AfterAll
    static void tearDown() {
        sae.close();
        nd.close();
    }

    static AnalysisResult pass(int batchRows, int[] latents) {
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            return FeaturePass.run(c, sae, "identity", nd, new FeaturePass.Options(LAYER, K, batchRows, latents, Verbosity.QUIET));
        }
    }

    record Entry(float v, int img, int patch) {}

    static final Comparator<Entry> BEST_FIRST = Comparator.comparingDouble((Entry e) -> -e.v()).thenComparingInt(Entry::img)
            .thenComparingInt(Entry::patch);

    /** Brute-force top-k over all positive candidates, padded with −1. */
    static void assertList(List<Entry> candidates, TopKLists.Sorted got, int row, boolean checkPatch, String what) {
        List<Entry> want = candidates.stream().filter(e -> e.v() > 0).sorted(BEST_FIRST).limit(K).toList();
        for (int r = 0; r < K; r++) {
            int at = row * K + r;
            String msg = what + " latent row " + row + " rank " + r;
            if (r < want.size()) {
                assertEquals(want.get(r).v(), got.values()[at], msg);
                assertEquals(want.get(r).img(), got.images()[at], msg);
                if (checkPatch) {
                    assertEquals(want.get(r).patch(), got.patches()[at], msg);
                }
            } else {
                assertEquals(-1, got.images()[at], msg);
                assertEquals(-1f, got.values()[at], msg);
            }
        }
    }

    static void assertMatchesBruteForce(AnalysisResult r) {
        for (int row = 0; row < r.rows(); row++) {
            int j = r.index().latents().get(row);
            long fires = 0;
            double sum = 0;
            float max = 0;
            long clsFires = 0;
            List<Entry> patches = new ArrayList<>();
            List<Entry> images = new ArrayList<>();
            List<Entry> cls = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                float imgMax = 0;
                for (int q = 0; q < P; q++) {
                    float v = Math.max(0, acts[i][2 + q][j]);
                    patches.add(new Entry(v, i, q));
                    imgMax = Math.max(imgMax, v);
                    if (v > 0) {
                        fires++;
                        sum += v;
                        max = Math.max(max, v);
                    }
                }
                images.add(new Entry(imgMax, i, -1));
                float c = acts[i][0][j];
                cls.add(new Entry(c, i, -1));
                clsFires += c > 0 ? 1 : 0;
            }
            assertEquals(fires, r.fires()[row], "fires of latent " + j);
            assertEquals((double) fires / (N * P), r.frequency(row), 1e-12);
            assertEquals(fires == 0 ? 0 : sum / fires, r.meanWhenFiring(row), 1e-9);
            assertEquals(max, r.max()[row]);
            assertEquals(clsFires, r.clsFires()[row]);
            assertEquals((double) clsFires / N, r.clsFrequency(row), 1e-12);
            long histSum = 0;
            for (int b = 0; b < LogHistogram.BINS; b++) {
                histSum += r.histograms()[row * LogHistogram.BINS + b];
            }
            assertEquals(fires, histSum, "histogram total of latent " + j);
            assertList(patches, r.topPatches(), row, true, "patches");
            assertList(images, r.topImages(), row, false, "images");
            assertList(cls, r.topCls(), row, false, "cls");
        }
    }

    @Test
    void findsPlantedExamplesAndStatistics() {
        AnalysisResult r = pass(4096, LatentSelection.parse(null, D, "test"));
        assertMatchesBruteForce(r);
        // the planted answers, stated directly
        assertEquals(7, r.topPatches().images()[0]);
        assertEquals(4, r.topPatches().patches()[0]);
        assertEquals(9f, r.topPatches().values()[0]);
        assertEquals(2, r.topPatches().images()[1]);
        assertEquals(1, r.topPatches().patches()[1]);
        assertArrayEquals(new int[] {1, 4, 6}, java.util.Arrays.copyOfRange(r.topImages().images(), K, 2 * K), "ties: lower image first");
        assertEquals(0, r.fires()[2]);
        assertEquals(-1, r.topImages().images()[2 * K]);
        assertArrayEquals(new int[] {3, 10}, java.util.Arrays.copyOfRange(r.topCls().images(), 3 * K, 3 * K + 2));
        assertEquals(9f, r.max()[0]);
        assertEquals(r.fires()[0], N * P * r.frequency(0), 1e-9);
        // 9.0 lies in [10^0.9, 10^1.0): bin 4*10 + 9 + 1
        assertTrue(r.histograms()[LogHistogram.bin(9f)] >= 1);
        assertEquals(50, LogHistogram.bin(9f));
        assertEquals(0, LogHistogram.bin(1e-5f));
        assertEquals(LogHistogram.BINS - 1, LogHistogram.bin(5000f));
        assertEquals(N, r.index().nImages());
        assertEquals((long) N * P, r.index().patchTokens());
    }

    @Test
    void sameResultForEveryBatchSize() {
        int[] all = LatentSelection.parse(null, D, "test");
        AnalysisResult a = pass(1, all);
        for (int batch : new int[] {T, 3 * T, 5 * T + 3, 4096}) {
            AnalysisResult b = pass(batch, all);
            assertArrayEquals(a.fires(), b.fires());
            assertArrayEquals(a.sum(), b.sum());
            assertArrayEquals(a.max(), b.max());
            assertArrayEquals(a.clsFires(), b.clsFires());
            assertArrayEquals(a.histograms(), b.histograms());
            for (TopKLists.Sorted[] pair : new TopKLists.Sorted[][] {{a.topImages(), b.topImages()},
                    {a.topPatches(), b.topPatches()}, {a.topCls(), b.topCls()}}) {
                assertArrayEquals(pair[0].values(), pair[1].values(), "batch " + batch);
                assertArrayEquals(pair[0].images(), pair[1].images(), "batch " + batch);
                assertArrayEquals(pair[0].patches(), pair[1].patches(), "batch " + batch);
            }
        }
    }

    @Test
    void latentSubsetMatchesTheFullRows() {
        AnalysisResult r = pass(4096, LatentSelection.parse("1,3", D, "--latents"));
        assertEquals(List.of(1, 3), r.index().latents());
        assertMatchesBruteForce(r);
        assertEquals(1, r.rowOf(3));
        assertEquals(-1, r.rowOf(0));
    }

    @Test
    void writesPatchMapsAndRoundTrips() throws IOException {
        Path out = tmp.resolve("analysis");
        AnalysisResult r;
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            r = FeaturePass.run(c, sae, "identity", nd, new FeaturePass.Options(LAYER, K, 16, LatentSelection.parse(null, D, "x"), Verbosity.QUIET));
            r = PatchMaps.write(out, c, sae, nd, r, 2 * P, PatchMaps.DEFAULT_MAX_BYTES, Verbosity.QUIET);
        }
        r.write(out);
        AnalysisResult back = AnalysisResult.read(out);
        assertEquals(r.index(), back.index());
        assertArrayEquals(r.fires(), back.fires());
        assertArrayEquals(r.max(), back.max());
        assertArrayEquals(r.clsMax(), back.clsMax());
        assertArrayEquals(r.histograms(), back.histograms());
        for (int row = 0; row < D; row++) {
            assertEquals(r.meanWhenFiring(row), back.meanWhenFiring(row), 1e-12);
        }
        assertArrayEquals(r.topPatches().patches(), back.topPatches().patches());
        assertArrayEquals(r.topPatches().values(), back.topPatches().values());
        assertArrayEquals(r.topImages().images(), back.topImages().images());
        assertArrayEquals(r.topCls().values(), back.topCls().values());
        assertEquals(PatchMaps.bytes(D, K, P), back.index().patchMapsBytes());
        assertTrue(back.index().files().contains("patch_maps.npy"));
        for (int row = 0; row < D; row++) {
            for (int rank = 0; rank < K; rank++) {
                int img = back.topImages().images()[row * K + rank];
                float[] map = back.patchMap(out, row, rank);
                float best = 0;
                for (int q = 0; q < P; q++) {
                    float want = img < 0 ? 0 : Math.max(0, acts[img][2 + q][row]);
                    assertEquals(want, map[q], "map of latent " + row + " rank " + rank + " patch " + q);
                    best = Math.max(best, map[q]);
                }
                if (img >= 0) {
                    assertEquals(back.topImages().values()[row * K + rank], best);
                }
            }
        }
        assertEquals(9f, back.patchMap(out, 0, 0)[4]);
    }

    @Test
    void refusesTooLargePatchMaps() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PatchMaps.checkSize(98304, 64, 256, PatchMaps.DEFAULT_MAX_BYTES));
        assertTrue(e.getMessage().contains("--k") && e.getMessage().contains("--latents"), e.getMessage());
        AnalysisResult r = pass(4096, LatentSelection.parse(null, D, "x"));
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            assertThrows(IllegalArgumentException.class,
                    () -> PatchMaps.write(tmp.resolve("refused"), c, sae, nd, r, 64, PatchMaps.bytes(D, K, P) - 1, Verbosity.QUIET));
        }
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnalysisResult.read(tmp.resolve("nothing")));
        assertTrue(e.getMessage().contains("index.json"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LatentSelection.parse("3-9", D, "--latents"));
        assertThrows(IllegalArgumentException.class, () -> LatentSelection.parse("a", D, "--latents"));
        assertArrayEquals(new int[] {0, 1, 3}, LatentSelection.parse("0-1, 3", D, "--latents"));
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            assertThrows(IllegalArgumentException.class, () -> FeaturePass.run(c, sae, "x", nd,
                    new FeaturePass.Options(7, K, 64, new int[] {0}, Verbosity.QUIET)));
        }
    }
}
