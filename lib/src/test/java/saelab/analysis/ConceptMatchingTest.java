package saelab.analysis;

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
import saelab.sae.SaeCheckpoint;
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
 * Concept matching on a synthetic labelled cache: an identity SAE (codes = max(0, x)) over D = 64
 * dimensions; 4 classes of patches (per-patch labels) and a class per image. A patch of class c has
 * dimension PLANT[c] in [1, 2) and every other dimension uniform in [−1, 0.9), so latent PLANT[c] separates
 * class c exactly (F1 = AUROC = 1) and no other latent carries its class. Image label c puts 3.0 on
 * dimension IMG_PLANT[c] of one patch (other images stay below 2), so the image-level best latent is
 * IMG_PLANT[c].
 */
class ConceptMatchingTest {

    static final TokenLayout LAYOUT = new TokenLayout(true, 0, 4, 4);
    static final int P = 16;
    static final int D = 64;
    static final int N = 160;
    static final int C = 4;
    static final int[] PLANT = {9, 3, 40, 22};
    static final int[] IMG_PLANT = {50, 51, 52, 53};
    /** Tolerances of the chance-level baselines (see the class comment for the sizes). */
    static final double AUC_TOL = 0.05;
    static final double F1_TOL = 0.06;

    private static NDManager nd;
    private static Sae sae;

    @TempDir
    static Path tmp;

    private static Path cacheDir;

    @BeforeAll
    static void setUp() throws IOException {
        nd = NDManager.newBaseManager();
        sae = IdentitySae.of(D, nd);
        SplittableRandom rng = new SplittableRandom(5);
        cacheDir = tmp.resolve("cache");
        List<String> names = List.of("sky", "tree", "road", "car");
        CacheSpec spec = new CacheSpec(new ModelRef("test/planted", null, null), new DatasetRef("planted", null, null), null,
                List.of(2), LAYOUT, D, StorageDtype.F32, new PatchLabelInfo(names, -1), null);
        int t = LAYOUT.tokens();
        try (CacheWriter w = CacheWriter.create(cacheDir, spec, 40L * spec.bytesPerImage())) {
            for (int i = 0; i < N; i++) {
                float[] flat = new float[t * D];
                short[] labels = new short[P];
                for (int k = 0; k < t * D; k++) {
                    flat[k] = (float) (rng.nextDouble() * 1.9 - 1);
                }
                for (int q = 0; q < P; q++) {
                    int y = rng.nextInt(C);
                    labels[q] = (short) y;
                    flat[(1 + q) * D + PLANT[y]] = (float) (1 + rng.nextDouble());
                }
                int imageLabel = i % C;
                flat[(1 + rng.nextInt(P)) * D + IMG_PLANT[imageLabel]] = 3f;
                w.append(List.of(new ImageRecord(i, "img" + i + ".png", imageLabel)), flat, labels);
            }
            w.finish();
        }
    }

    @AfterAll
    static void tearDown() {
        sae.close();
        nd.close();
    }

    static ConceptMatching.Result match(ConceptMatching.Unit unit, ConceptMatching.Options o) {
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            return ConceptMatching.run(c, sae, LatentSelection.parse(null, D, "test"),
                    FamilyMatching.Family.ofCache(c, unit, List.of("a", "b", "c", "d")), nd, o);
        }
    }

    static void assertChance(ConceptMatching.Result r) {
        for (int c = 0; c < C; c++) {
            String at = "class " + c + ": ";
            assertEquals(0.5, r.randomLatentAuc()[c], AUC_TOL, at + "random latent AUROC");
            assertEquals(0.5, r.randomDirAuc()[c], AUC_TOL, at + "random direction AUROC");
            assertEquals(r.f1PredictAll(c), r.randomLatentF1()[c], F1_TOL, at + "random latent F1");
            assertEquals(r.f1PredictAll(c), r.randomDirF1()[c], F1_TOL, at + "random direction F1");
            assertTrue(r.randomLatentF1()[c] >= r.f1PredictAll(c) - 1e-6, at + "best F1 is at least predict-all (tables are float32)");
        }
    }

    @Test
    void recoversPlantedPatchLatentsAndBaselinesAreAtChance() {
        ConceptMatching.Result r = match(ConceptMatching.Unit.PATCH, ConceptMatching.Options.builder(2).build());
        assertEquals(N * P, r.units());
        assertEquals(1, r.stride());
        assertEquals(List.of("sky", "tree", "road", "car"), r.classes());
        for (int c = 0; c < C; c++) {
            assertEquals(PLANT[c], r.bestF1Latent()[c], "best F1 latent of class " + c);
            assertEquals(PLANT[c], r.bestAucLatent()[c], "best AUROC latent of class " + c);
            assertEquals(1.0, r.bestF1()[c], 1e-12);
            assertEquals(1.0, r.bestAuc()[c], 1e-12);
            assertTrue(r.bestF1Threshold()[c] >= 1f && r.bestF1Threshold()[c] < 2f);
        }
        assertChance(r);
    }

    @Test
    void subsampleStillRecoversThePlant() {
        ConceptMatching.Options o = ConceptMatching.Options.builder(2).maxUnits(1000).maxEntries(1L << 20).imagesPerBatch(7).seed(1)
                .build();
        ConceptMatching.Result r = match(ConceptMatching.Unit.PATCH, o);
        assertEquals(3, r.stride());
        assertEquals((N * P + 2) / 3, r.units());
        for (int c = 0; c < C; c++) {
            assertEquals(PLANT[c], r.bestF1Latent()[c]);
            assertEquals(PLANT[c], r.bestAucLatent()[c]);
        }
    }

    @Test
    void recoversPlantedImageLatents() {
        ConceptMatching.Result r = match(ConceptMatching.Unit.IMAGE, ConceptMatching.Options.builder(2).maxEntries(1L << 20).build());
        assertEquals(N, r.units());
        for (int c = 0; c < C; c++) {
            assertEquals(IMG_PLANT[c], r.bestF1Latent()[c]);
            assertEquals(IMG_PLANT[c], r.bestAucLatent()[c]);
            assertEquals(1.0, r.bestAuc()[c], 1e-12);
        }
    }

    @Test
    void writesCsvAndTables() throws IOException {
        ConceptMatching.Result r = match(ConceptMatching.Unit.PATCH, ConceptMatching.Options.builder(2).build());
        Path out = tmp.resolve("concepts");
        r.write(out);
        List<String> lines = Files.readAllLines(out.resolve("concepts.csv"));
        assertEquals(ConceptMatching.Result.CSV_HEADER, lines.get(0));
        assertEquals(C + 1, lines.size());
        assertTrue(lines.get(1).startsWith("0,sky,"));
        assertEquals(128 + 4L * C * D, Files.size(out.resolve("concept_auroc.npy")));
        assertEquals(1.0f, r.aucTable()[2 * D + PLANT[2]]);
    }

    @Test
    void refusesMissingLabelsAndEntryOverflow() {
        ConceptMatching.Options tiny = ConceptMatching.Options.builder(2).maxEntries(10).randomDraws(4).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> match(ConceptMatching.Unit.PATCH, tiny));
        assertTrue(e.getMessage().contains("max entries"), e.getMessage());
        try (ActivationCache c = ActivationCache.open(cacheDir)) {
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> ConceptMatching.run(c, sae,
                    new int[] {0}, FamilyMatching.Family.ofCache(c, ConceptMatching.Unit.IMAGE, null), nd,
                    ConceptMatching.Options.builder(2).build()));
            assertTrue(e2.getMessage().contains("class names"), e2.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void theConceptsCommandWritesTheSameAnswer() throws IOException {
        Path ckpt = tmp.resolve("identity.safetensors");
        SaeCheckpoint.write(ckpt, sae, java.util.Map.of());
        Path out = tmp.resolve("concepts-cli");
        java.io.PrintStream old = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            code = saelab.cli.Main.run("concepts", "--sae", ckpt.toString(), "--cache", cacheDir.toString(), "--out", out.toString(),
                    "--draws", "4");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        List<String> rows = java.nio.file.Files.readAllLines(out.resolve("concepts.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int col = header.indexOf("best_f1_latent");
        assertTrue(col >= 0, rows.get(0));
        for (int c = 0; c < C; c++) {
            assertEquals(String.valueOf(PLANT[c]), rows.get(1 + c).split(",")[col], rows.get(1 + c));
        }
        assertEquals(2, saelab.cli.Main.run("concepts", "--sae", ckpt.toString(), "--cache", cacheDir.toString(), "--out",
                out.toString(), "--unit", "image"), "image units need class names");
    }
}
