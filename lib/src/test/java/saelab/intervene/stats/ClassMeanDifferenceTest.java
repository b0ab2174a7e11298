package saelab.intervene.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

class ClassMeanDifferenceTest {

    private static final int D = 24;
    private static final int LAYER = 3;
    private static final List<String> CLASSES = List.of("background", "red", "blue", "never");

    /**
     * 40 images of a CLS token and a 3 × 3 grid; patch labels random among background, red and blue (never used: "never"),
     * some patches unlabelled; red patches get +2·u_red planted on noise of σ = 0.5 with a common offset, blue +2·u_blue.
     */
    private static Path write(Path dir, float[] red, float[] blue, boolean labels) throws IOException {
        TokenLayout layout = new TokenLayout(true, 0, 3, 3);
        CacheSpec spec = new CacheSpec(new CacheManifest.ModelRef("planted", null, null), new CacheManifest.DatasetRef("planted", "train", null),
                null, List.of(LAYER), layout, D, StorageDtype.F32, labels ? new CacheManifest.PatchLabelInfo(CLASSES, 0) : null, null);
        SplittableRandom rng = new SplittableRandom(17);
        try (CacheWriter w = CacheWriter.create(dir, spec, 1L << 20)) {
            for (int i = 0; i < 40; i++) {
                float[] acts = new float[layout.tokens() * D];
                short[] lab = new short[9];
                for (int t = 0; t < layout.tokens(); t++) {
                    int label = t == 0 ? -1 : rng.nextInt(10) == 0 ? -1 : rng.nextInt(3);
                    if (t > 0) {
                        lab[t - 1] = (short) label;
                    }
                    for (int j = 0; j < D; j++) {
                        double v = 1.0 + 0.5 * rng.nextGaussian();
                        if (label == 1) {
                            v += 2 * red[j];
                        } else if (label == 2) {
                            v += 2 * blue[j];
                        }
                        acts[t * D + j] = (float) v;
                    }
                }
                w.append(List.of(new ImageRecord(i, "img/" + i + ".png", -1)), acts, labels ? lab : null);
            }
            w.finish();
        }
        return dir;
    }

    @Test
    void recoversAPlantedDirection(@TempDir Path tmp) throws IOException {
        float[] red = RandomDirections.unitVector(D, new SplittableRandom(1));
        float[] blue = RandomDirections.unitVector(D, new SplittableRandom(2));
        try (ActivationCache cache = ActivationCache.open(write(tmp.resolve("c"), red, blue, true))) {
            ClassMeanDifference cmd = ClassMeanDifference.compute(cache, LAYER, 7);
            // μ_red − μ_¬red = 2·u_red − (share of blue among the others)·2·u_blue: mostly along u_red.
            double cos = ControlSelectionTest.cosine(cmd.direction(1), 0, red, 0, D);
            assertTrue(cos > 0.85, "cosine with the planted direction " + cos);
            assertEquals(1.0, ControlSelectionTest.cosine(cmd.direction(1), 0, cmd.direction(1), 0, D), 1e-6);
            float[] u = cmd.direction(1);
            double norm = 0;
            for (float v : u) {
                norm += v * v;
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-6);

            // Counts: every labelled patch of the class, unlabelled and CLS tokens left out.
            long labelled = 0;
            long reds = 0;
            for (long i = 0; i < cache.nImages(); i++) {
                for (short l : cache.patchLabels(i)) {
                    labelled += l >= 0 ? 1 : 0;
                    reds += l == 1 ? 1 : 0;
                }
            }
            assertEquals(reds, cmd.count(1));
            assertEquals(labelled, cmd.count(0) + cmd.count(1) + cmd.count(2) + cmd.count(3));

            // As an edit: the real edit's per-token norms, along u_red (negative removes the class).
            float[] dx = cmd.edit(1, new float[] {3f, -0.5f});
            float[] norms = TokenEdits.norms(dx, D);
            assertEquals(3f, norms[0], 1e-5);
            assertEquals(0.5f, norms[1], 1e-6);
            assertEquals(-1.0, ControlSelectionTest.cosine(dx, 0, dx, D, D), 1e-6);

            // Only the selected images: the even ones give a different, still red-pointing, estimate.
            ClassMeanDifference even = ClassMeanDifference.compute(cache, LAYER, 5, image -> image % 2 == 0);
            assertTrue(even.count(1) < cmd.count(1) && even.count(1) > 0);
            assertTrue(ControlSelectionTest.cosine(even.direction(1), 0, red, 0, D) > 0.8);

            assertEquals("class 3 (never) has 0 labelled patches and the other classes " + labelled + " in the images read from "
                    + cache.dir() + "; the class-mean difference needs both",
                    assertThrows(IllegalArgumentException.class, () -> cmd.direction(3)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> cmd.direction(4));
            assertThrows(IllegalArgumentException.class, () -> ClassMeanDifference.compute(cache, 5, 4));
        }
    }

    @Test
    void refusesACacheWithoutPatchLabels(@TempDir Path tmp) throws IOException {
        float[] u = RandomDirections.unitVector(D, new SplittableRandom(1));
        try (ActivationCache cache = ActivationCache.open(write(tmp.resolve("c"), u, u, false))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassMeanDifference.compute(cache, LAYER, 4));
            assertEquals("the cache " + cache.dir() + " has no per-patch labels; the class-mean-difference control needs a capture with"
                    + " patch labels", e.getMessage());
        }
    }

    /**
     * Image labels instead of patch labels: 30 images labelled 0, 1, 2 in turn (every fifth image unlabelled), every
     * patch of a class-1 image gets +2·u planted; the direction is the mean patch of class-1 images minus that of the
     * other labelled images, recomputed here by hand.
     */
    @Test
    void imageLabelsGiveEveryPatchItsImagesClass(@TempDir Path tmp) throws IOException {
        float[] u = RandomDirections.unitVector(D, new SplittableRandom(5));
        TokenLayout layout = new TokenLayout(true, 0, 3, 3);
        CacheSpec spec = new CacheSpec(new CacheManifest.ModelRef("planted", null, null), new CacheManifest.DatasetRef("planted", "train", null),
                null, List.of(LAYER), layout, D, StorageDtype.F32, null, null);
        SplittableRandom rng = new SplittableRandom(3);
        double[] sum1 = new double[D];
        double[] sumOther = new double[D];
        long n1 = 0;
        long nOther = 0;
        try (CacheWriter w = CacheWriter.create(tmp.resolve("c"), spec, 1L << 20)) {
            for (int i = 0; i < 30; i++) {
                int label = i % 5 == 4 ? -1 : i % 3;
                float[] acts = new float[layout.tokens() * D];
                for (int t = 0; t < layout.tokens(); t++) {
                    for (int j = 0; j < D; j++) {
                        acts[t * D + j] = (float) (1.0 + 0.5 * rng.nextGaussian() + (label == 1 ? 2 * u[j] : 0));
                        if (t > 0 && label >= 0) {
                            (label == 1 ? sum1 : sumOther)[j] += acts[t * D + j];
                        }
                    }
                    if (t > 0 && label >= 0) {
                        n1 += label == 1 ? 1 : 0;
                        nOther += label == 1 ? 0 : 1;
                    }
                }
                w.append(List.of(new ImageRecord(i, "img/" + i + ".png", label)), acts, null);
            }
            w.finish();
        }
        try (ActivationCache cache = ActivationCache.open(tmp.resolve("c"))) {
            ClassMeanDifference cmd = ClassMeanDifference.computeByImage(cache, LAYER, 4);
            assertEquals(List.of("class-0", "class-1", "class-2"), cmd.classes());
            assertEquals(n1, cmd.count(1));
            assertEquals(n1 + nOther, cmd.count(0) + cmd.count(1) + cmd.count(2));
            double[] w = cmd.difference(1);
            for (int j = 0; j < D; j++) {
                assertEquals(sum1[j] / n1 - sumOther[j] / nOther, w[j], 1e-9);
            }
            assertTrue(ControlSelectionTest.cosine(cmd.direction(1), 0, u, 0, D) > 0.9);
        }
        float[] v = RandomDirections.unitVector(D, new SplittableRandom(1));
        try (ActivationCache unlabelled = ActivationCache.open(write(tmp.resolve("u"), v, v, true))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassMeanDifference.computeByImage(unlabelled, LAYER, 4));
            assertEquals("the cache " + unlabelled.dir() + " has no image labels (every image's label is -1); the class-mean-difference control"
                    + " needs a capture of a labelled dataset", e.getMessage());
        }
    }
}
