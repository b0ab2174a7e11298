package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.model.Golden;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.RecordedLayer;

/**
 * {@link ImageIntervention} on the golden tiny DINOv2 (3 blocks, width 32, 4 x 4 patches at 56 px) with a random ReLU
 * SAE at block 1 and a random segmentation head: a no-op edit changes nothing, an ablation moves only the selected
 * tokens, every apply works from the prefix cached at open, and bad edits are refused in one sentence.
 */
class ImageInterventionTest {

    private static final int BLOCK = 1;
    private static final int D_SAE = 64;
    private static LoadedModel model;
    private static NDManager nd;
    private static Sae sae;
    private static SegmentationHead head;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        model = ModelLoader.load(Golden.dir("dinov2"));
        nd = NDManager.newBaseManager();
        sae = RandomSaes.drawn(SaeConfig.builder(SaeKind.RELU, 32, D_SAE).seed(11).build(), nd, 0f, 0f);
        head = SegmentationHead.of(randomHead(5, 32), model.vision());
    }

    @AfterAll
    static void free() {
        nd.close();
        model.close();
    }

    static LinearHead randomHead(int classes, int d) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = new float[classes * d];
        float[] b = new float[classes];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        List<String> names = IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
        return new LinearHead(w, b, new HeadProvenance(HeadKind.SEGMENT, "golden", null, null, null, null, RecordedLayer.FINAL, d, names, -1,
                null, null));
    }

    private ImageIntervention open(int block) throws Exception {
        Path cfg = tmp.resolve("preprocessor_config.json");
        Files.writeString(cfg, "{\"image_processor_type\": \"BitImageProcessor\", \"size\": {\"shortest_edge\": 64},"
                + " \"crop_size\": {\"height\": 56, \"width\": 56}}");
        byte[] px = new byte[70 * 64 * 3];
        new SplittableRandom(5).nextBytes(px);
        return ImageIntervention.open(model.vision(), Preprocessor.load(cfg), sae, block, head, new RgbImage(70, 64, px), null, Device.cpu());
    }

    @Test
    void noOpEditChangesNothingAndAblationMovesOnlyTheSelectedTokens() throws Exception {
        try (ImageIntervention iv = open(BLOCK)) {
            assertEquals(17, iv.layout().tokens()); // CLS + 4 x 4 patches
            InterventionResult same = iv.apply(EditSpec.builder(EditOperation.SCALE).latents(0, 5, 9).value(1.0).build());
            assertArrayEquals(same.before().logits(), same.after().logits());
            assertArrayEquals(same.before().mask(), same.after().mask());
            assertEquals(0, same.changedPatches());
            assertArrayEquals(new float[17], same.deltaNorms());
            assertEquals(16, same.editedTokens());

            // the latent most active on patches 2 and 7 (tokens 3 and 8), so that ablating it moves both
            int[] all = IntStream.range(0, D_SAE).toArray();
            float[] codes = iv.session().codes(all);
            int best = 0;
            for (int l = 1; l < D_SAE; l++) {
                if (Math.min(codes[3 * D_SAE + l], codes[8 * D_SAE + l]) > Math.min(codes[3 * D_SAE + best], codes[8 * D_SAE + best])) {
                    best = l;
                }
            }
            assertTrue(Math.min(codes[3 * D_SAE + best], codes[8 * D_SAE + best]) > 0, "no latent fires on both patches");
            InterventionResult ablated = iv.apply(EditSpec.builder(EditOperation.ABLATE).tokens(EditTokens.patches(2, 7)).latents(best).build());
            for (int t = 0; t < 17; t++) {
                if (t == 3 || t == 8) {
                    assertTrue(ablated.deltaNorms()[t] > 0, "token " + t);
                } else {
                    assertEquals(0f, ablated.deltaNorms()[t], "token " + t);
                }
            }
            assertArrayEquals(same.before().logits(), ablated.before().logits()); // the clean prediction is computed once
            double p = 0;
            for (int c = 0; c < 5; c++) {
                p += ablated.after().probabilities()[c];
            }
            assertEquals(1.0, p, 1e-5);
        }
    }

    @Test
    void randomDirectionControlMovesTheRealEditsTokensByTheSameNormsAlongASeededDirection() throws Exception {
        try (ImageIntervention iv = open(BLOCK)) {
            int[] all = IntStream.range(0, D_SAE).toArray();
            float[] codes = iv.session().codes(all);
            int best = 0;
            for (int l = 1; l < D_SAE; l++) {
                if (codes[3 * D_SAE + l] > codes[3 * D_SAE + best]) {
                    best = l;
                }
            }
            InterventionResult real = iv.apply(EditSpec.builder(EditOperation.SET).tokens(EditTokens.patches(2, 7)).latents(best)
                    .value(-20.0).build());
            InterventionResult random = iv.applyRandomDirection(real, 42L);
            InterventionResult again = iv.applyRandomDirection(real, 42L);
            InterventionResult other = iv.applyRandomDirection(real, 43L);
            for (int t = 0; t < 17; t++) {
                if (t == 3 || t == 8) {
                    assertTrue(real.deltaNorms()[t] > 0, "token " + t);
                    assertEquals(real.deltaNorms()[t], random.deltaNorms()[t], 1e-4 * real.deltaNorms()[t], "token " + t);
                } else {
                    assertEquals(0f, random.deltaNorms()[t], "token " + t);
                }
            }
            assertArrayEquals(real.before().logits(), random.before().logits());
            assertArrayEquals(random.after().logits(), again.after().logits());
            assertFalse(java.util.Arrays.equals(random.after().logits(), other.after().logits()), "the seed picks the direction");
            assertFalse(java.util.Arrays.equals(random.after().logits(), real.after().logits()), "a random direction is not the decoder row");
            assertArrayEquals(real.edited(), random.edited());
            assertEquals(null, random.spec());

            InterventionResult foreign = new InterventionResult(null, real.edit(), real.form(), real.block(), real.classes(), real.layout(),
                    real.before(), real.after(), new float[5], new boolean[5]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> iv.applyRandomDirection(foreign, 1L));
            assertEquals("the edit result holds 5 token norms; this image has 17 tokens", e.getMessage());
        }
    }

    @Test
    void everyApplyStartsFromThePrefixCachedAtOpen() throws Exception {
        VisionTower tower = model.vision();
        try (NDManager scope = NDManager.newBaseManager()) {
            NDArray pixels = scope.randomNormal(new Shape(1, 3, 56, 56));
            VisionOutput prefix = tower.forwardBlocks(pixels, Set.of(BLOCK));
            // a prefix no forward of the pixels gives: if apply re-ran the tower, its outputs would not match this
            NDArray perturbed = prefix.blocks().get(BLOCK).add(scope.randomNormal(new Shape(1, 17, 32)));
            float[] want = head.logits(tower.forwardFrom(BLOCK, perturbed, Set.of(), prefix.layout()), scope).toFloatArray();
            float[] plain = head.logits(tower.forward(pixels), scope).toFloatArray();
            try (ImageIntervention iv = ImageIntervention.ofResidual(tower, sae, BLOCK, head, perturbed.duplicate(), prefix.layout(), null)) {
                EditSession session = iv.session();
                assertArrayEquals(want, iv.clean().logits());
                assertFalse(java.util.Arrays.equals(plain, iv.clean().logits()));
                for (double gamma : new double[] {1.0, 0.5, 1.0}) {
                    InterventionResult r = iv.apply(EditSpec.builder(EditOperation.SCALE).latents(4).value(gamma).build());
                    assertSame(session, iv.session());
                    if (gamma == 1.0) {
                        assertArrayEquals(want, r.after().logits());
                    }
                }
            }
        }
    }

    @Test
    void badEditsAreOneSentence() throws Exception {
        try (ImageIntervention iv = open(BLOCK)) {
            IllegalArgumentException latent = assertThrows(IllegalArgumentException.class,
                    () -> iv.apply(EditSpec.builder(EditOperation.ABLATE).latents(D_SAE).build()));
            assertEquals("latent 64 is outside the SAE's d_sae=64 latents (0-based 0..63)", latent.getMessage());
            IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
                    () -> iv.apply(EditSpec.builder(EditOperation.ABLATE).block(2).latents(1).build()));
            assertEquals("the edit is for block 2 but this session caches block 1's output", block.getMessage());
        }
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> open(3));
        assertEquals("block 3 is outside the model's 3 blocks (0-based 0..2)", outside.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            Sae narrow = RandomSaes.drawn(SaeConfig.builder(SaeKind.RELU, 16, 8).seed(1).build(), m, 0f, 0f);
            IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                    () -> ImageIntervention.ofResidual(model.vision(), narrow, BLOCK, head, m.zeros(new Shape(1, 17, 32)),
                            model.vision().layout(56, 56), null));
            assertEquals("the SAE reads d_model=16 activations but the model's width is 32", width.getMessage());
        }
    }
}
