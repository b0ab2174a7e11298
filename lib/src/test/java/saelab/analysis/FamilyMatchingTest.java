package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheManifest.PatchLabelInfo;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

/**
 * Multi-family concept matching on a synthetic cache with planted latents: an identity SAE (codes = max(0, x)) over
 * D = 64 dimensions, a CLS token and 4 x 4 patches per image, every dimension uniform in [-1, 0.9) unless planted.
 * Patch family A (4 classes) puts [1, 2) on dimension PA[a] of a patch of class a; patch family B (3 classes, a fifth of
 * the patches unlabelled) puts [1, 2) on PB[b]; image family C (image i has class i mod 4) puts 3.0 on dimension
 * IC[c] of one patch; image family D (class i mod 3) puts 1.5 on dimension CD[d] of the CLS token. So each family has
 * exactly one perfect latent per class, found only when the pass routes each unit and each score correctly.
 */
class FamilyMatchingTest {

    static final TokenLayout LAYOUT = new TokenLayout(true, 0, 4, 4);
    static final int P = 16;
    static final int D = 64;
    static final int N = 160;
    static final int[] PA = {9, 3, 40, 22};
    static final int[] PB = {11, 30, 45};
    static final int[] IC = {50, 51, 52, 53};
    static final int[] CD = {60, 61, 62};
    static final double AUC_TOL = 0.05;
    static final double F1_TOL = 0.06;

    private static NDManager nd;
    private static Sae sae;
    private static short[] labelsA = new short[N * P];
    private static short[] labelsB = new short[N * P];
    private static short[] labelsC = new short[N];
    private static short[] labelsD = new short[N];

    @TempDir
    static Path tmp;

    private static Path cacheDir;

    @BeforeAll
    static void setUp() throws IOException {
        nd = NDManager.newBaseManager();
        sae = IdentitySae.of(D, nd);
        SplittableRandom rng = new SplittableRandom(11);
        cacheDir = tmp.resolve("cache");
        CacheSpec spec = new CacheSpec(new ModelRef("test/planted", null, null), new DatasetRef("planted", null, null), null,
                List.of(2), LAYOUT, D, StorageDtype.F32, new PatchLabelInfo(List.of("a0", "a1", "a2", "a3"), -1), null);
        int t = LAYOUT.tokens();
        try (CacheWriter w = CacheWriter.create(cacheDir, spec, 40L * spec.bytesPerImage())) {
            for (int i = 0; i < N; i++) {
                float[] flat = new float[t * D];
                short[] cacheLabels = new short[P];
                for (int k = 0; k < t * D; k++) {
                    flat[k] = (float) (rng.nextDouble() * 1.9 - 1);
                }
                for (int q = 0; q < P; q++) {
                    int a = rng.nextInt(PA.length);
                    int b = rng.nextInt(5) == 0 ? -1 : rng.nextInt(PB.length);
                    labelsA[i * P + q] = (short) a;
                    labelsB[i * P + q] = (short) b;
                    cacheLabels[q] = (short) a;
                    flat[(1 + q) * D + PA[a]] = (float) (1 + rng.nextDouble());
                    if (b >= 0) {
                        flat[(1 + q) * D + PB[b]] = (float) (1 + rng.nextDouble());
                    }
                }
                labelsC[i] = (short) (i % IC.length);
                labelsD[i] = (short) (i % CD.length);
                flat[(1 + rng.nextInt(P)) * D + IC[labelsC[i]]] = 3f;
                flat[CD[labelsD[i]]] = 1.5f;
                w.append(List.of(new ImageRecord(i, "img" + i + ".png", labelsC[i])), flat, cacheLabels);
            }
            w.finish();
        }
    }

    @AfterAll
    static void tearDown() {
        sae.close();
        nd.close();
    }

    static FamilyMatching.Family famA() {
        return new FamilyMatching.Family("a", ConceptMatching.Unit.PATCH, List.of("a0", "a1", "a2", "a3"), labelsA);
    }

    static FamilyMatching.Family famB() {
        return new FamilyMatching.Family("b", ConceptMatching.Unit.PATCH, List.of("b0", "b1", "b2"), labelsB);
    }

    static FamilyMatching.Family famC() {
        return new FamilyMatching.Family("c", ConceptMatching.Unit.IMAGE, List.of("c0", "c1", "c2", "c3"), labelsC);
    }

    static FamilyMatching.Family famD() {
        return new FamilyMatching.Family("d", ConceptMatching.Unit.IMAGE, List.of("d0", "d1", "d2"), labelsD);
    }

    static FamilyMatching.Result run(List<FamilyMatching.Family> fams, ConceptMatching.Options o) {
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            return FamilyMatching.run(c, sae, LatentSelection.parse(null, D, "test"), fams, nd, o);
        }
    }

    static void assertPlanted(ConceptMatching.Result r, int[] plant, String family) {
        for (int c = 0; c < plant.length; c++) {
            assertEquals(plant[c], r.bestF1Latent()[c], family + " class " + c + ": best F1 latent");
            assertEquals(plant[c], r.bestAucLatent()[c], family + " class " + c + ": best AUROC latent");
            assertEquals(1.0, r.bestF1()[c], 1e-12, family + " class " + c);
            assertEquals(1.0, r.bestAuc()[c], 1e-12, family + " class " + c);
        }
    }

    static void assertChance(ConceptMatching.Result r, String family) {
        for (int c = 0; c < r.classes().size(); c++) {
            String at = family + " class " + c + ": ";
            assertEquals(0.5, r.randomLatentAuc()[c], AUC_TOL, at + "random latent AUROC");
            assertEquals(0.5, r.randomDirAuc()[c], AUC_TOL, at + "random direction AUROC");
            assertEquals(r.f1PredictAll(c), r.randomLatentF1()[c], F1_TOL, at + "random latent F1");
            assertEquals(r.f1PredictAll(c), r.randomDirF1()[c], F1_TOL, at + "random direction F1");
        }
    }

    @Test
    void patchAndImageFamiliesInOnePassRecoverThePlantedLatents() {
        FamilyMatching.Result r = run(List.of(famA(), famB(), famC()),
                ConceptMatching.Options.builder(2).build());
        assertEquals(List.of("a", "b", "c"), r.families());
        assertPlanted(r.get("a"), PA, "a");
        assertPlanted(r.get("b"), PB, "b");
        assertPlanted(r.get("c"), IC, "c");
        assertEquals(N * P, r.get("a").units());
        long labelledB = 0;
        for (short b : labelsB) {
            labelledB += b >= 0 ? 1 : 0;
        }
        assertEquals(labelledB, r.get("b").units(), "unlabelled patches are left out of family b only");
        assertEquals(N, r.get("c").units());
        assertChance(r.get("a"), "a");
        assertChance(r.get("b"), "b");
    }

    @Test
    void imageUnitsScoredOnTheClsTokenFindTheClsPlant() {
        FamilyMatching.Result r = run(List.of(famD(), famC()), ConceptMatching.Options.builder(2).imageScore(ConceptMatching.ImageScore.CLS).build());
        assertPlanted(r.get("d"), CD, "d");
        // the image-level patch plant is invisible to the CLS token
        for (int c = 0; c < IC.length; c++) {
            assertTrue(r.get("c").bestAuc()[c] < 0.9, "class " + c + ": " + r.get("c").bestAuc()[c]);
        }
    }

    @Test
    void aSingleFamilyScoresExactlyAsConceptMatching() {
        for (int maxUnits : new int[] {1 << 20, 1000}) {
            ConceptMatching.Options o = ConceptMatching.Options.builder(2).maxUnits(maxUnits).maxEntries(1L << 24).imagesPerBatch(7)
                    .randomDraws(16).seed(3).build();
            ConceptMatching.Result want;
            ConceptMatching.Result wantImage;
            try (ActivationCache c = ActivationCache.open(cacheDir)) {
                int[] all = LatentSelection.parse(null, D, "test");
                want = ConceptMatching.run(c, sae, all, FamilyMatching.Family.ofCache(c, ConceptMatching.Unit.PATCH, null), nd, o);
                wantImage = ConceptMatching.run(c, sae, all,
                        FamilyMatching.Family.ofCache(c, ConceptMatching.Unit.IMAGE, List.of("c0", "c1", "c2", "c3")), nd, o);
            }
            FamilyMatching.Result got = run(List.of(famA(), famC()), o);
            assertSame(want, got.get("a"));
            assertSame(wantImage, got.get("c"));
        }
    }

    private static void assertSame(ConceptMatching.Result want, ConceptMatching.Result got) {
        assertEquals(want.units(), got.units());
        assertEquals(want.stride(), got.stride());
        assertArrayEquals(want.positives(), got.positives());
        assertArrayEquals(want.f1Table(), got.f1Table());
        assertArrayEquals(want.aucTable(), got.aucTable());
        assertArrayEquals(want.bestF1Latent(), got.bestF1Latent());
        assertArrayEquals(want.bestAucLatent(), got.bestAucLatent());
        assertArrayEquals(want.randomLatentAuc(), got.randomLatentAuc());
        assertArrayEquals(want.randomDirAuc(), got.randomDirAuc());
        assertArrayEquals(want.randomDirF1(), got.randomDirF1());
        assertArrayEquals(want.randomDirMaxAuc(), got.randomDirMaxAuc());
    }

    @Test
    void writesOneCsvRowPerFamilyAndClassAndTheTables() throws IOException {
        FamilyMatching.Result r = run(List.of(famA(), famD()), ConceptMatching.Options.builder(2).imageScore(ConceptMatching.ImageScore.CLS).build());
        Path out = tmp.resolve("families");
        r.write(out);
        List<String> lines = Files.readAllLines(out.resolve("concepts.csv"));
        assertEquals(FamilyMatching.Result.CSV_HEADER, lines.getFirst());
        assertEquals(1 + 4 + 3, lines.size());
        assertTrue(lines.get(1).startsWith("a,patch,0,a0,"), lines.get(1));
        assertTrue(lines.get(5).startsWith("d,image,0,d0,"), lines.get(5));
        String[] header = lines.getFirst().split(",");
        int col = List.of(header).indexOf("best_auroc_latent");
        assertEquals(String.valueOf(CD[2]), lines.get(7).split(",")[col]);
        assertEquals(128 + 4L * 4 * D, Files.size(out.resolve("concept_auroc_a.npy")));
        assertEquals(128 + 4L * 3 * D, Files.size(out.resolve("concept_f1_d.npy")));
    }

    @Test
    void badFamiliesAreRefusedNamingTheFamily() {
        ConceptMatching.Options o = ConceptMatching.Options.builder(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                new FamilyMatching.Family("short", ConceptMatching.Unit.PATCH, List.of("x"), new short[N])), o));
        assertTrue(e.getMessage().contains("'short'") && e.getMessage().contains(N + " images x " + P), e.getMessage());
        short[] bad = labelsC.clone();
        bad[5] = 9;
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                new FamilyMatching.Family("big", ConceptMatching.Unit.IMAGE, List.of("c0", "c1", "c2", "c3"), bad)), o));
        assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("label 9"), e.getMessage());
        short[] none = new short[N];
        java.util.Arrays.fill(none, (short) -1);
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                new FamilyMatching.Family("empty", ConceptMatching.Unit.IMAGE, List.of("x"), none)), o));
        assertTrue(e.getMessage().contains("'empty'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of(famA(), famA()), o));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }
}
