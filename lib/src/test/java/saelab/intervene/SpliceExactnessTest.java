package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import saelab.model.ForwardBenchmark;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;

/**
 * The spliced forward on a small random DINOv2-shaped tower (width 32, 3 blocks, 4 x 4 patches + CLS, two images) with
 * random SAEs of every kind: edits that leave every code as it is reproduce the plain forward bit for bit; the delta
 * form equals "encode, overwrite, decode, add the error" within atol 1e-4 + rtol 1e-4 for every kind, operation, error
 * policy and token selection; unselected tokens are never touched.
 */
class SpliceExactnessTest {

    static final int WIDTH = 32;
    static final int D_SAE = 96;
    static final int BLOCK = 1;
    static final double ATOL = 1e-4;
    static final double RTOL = 1e-4;

    private static NDManager weights;
    private static VisionTower tower;
    private static NDArray pixels;

    @BeforeAll
    static void build() {
        weights = NDManager.newBaseManager();
        tower = ForwardBenchmark.syntheticDinov2(weights, WIDTH, 3, 4, 4, 16, 7);
        pixels = weights.randomNormal(new Shape(2, 3, 16, 16));
    }

    @AfterAll
    static void free() {
        weights.close();
    }

    static List<EditSpec> edits(int latentA, int latentB) {
        return List.of(
                EditSpec.builder(EditOperation.SET).latents(latentA).value(2.5).build(),
                EditSpec.builder(EditOperation.SET).latents(latentA, latentB).value(-3).tokens(EditTokens.cls()).build(),
                EditSpec.builder(EditOperation.SCALE).latents(latentA, latentB).value(0.25).tokens(EditTokens.patches(0, 5, 15)).build(),
                EditSpec.builder(EditOperation.ADD).latents(latentB).value(-1.5).build(),
                EditSpec.builder(EditOperation.ABLATE).latents(latentA, latentB).build());
    }

    /** The latents firing most often on the session's tokens (so that edits act on non-zero codes). */
    static int[] busiest(EditSession s, int dSae, int n) {
        int[] all = java.util.stream.IntStream.range(0, dSae).toArray();
        float[] c = s.codes(all);
        int[] count = new int[dSae];
        for (int i = 0; i < c.length; i++) {
            count[i % dSae] += c[i] != 0 ? 1 : 0;
        }
        return java.util.stream.IntStream.range(0, dSae).boxed().sorted((a, b) -> count[b] - count[a]).limit(n).mapToInt(Integer::intValue)
                .toArray();
    }

    @ParameterizedTest
    @EnumSource(RandomSaes.Case.class)
    void editsThatKeepEveryCodeAreBitIdentical(RandomSaes.Case c) {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = RandomSaes.of(c, WIDTH, D_SAE, nd);
             EditSession s = EditSession.open(tower, sae, BLOCK, pixels, null)) {
            VisionOutput plain = tower.forward(pixels, Set.of(BLOCK));
            int[] lat = busiest(s, D_SAE, 3);
            float[] own = s.codes(lat); // [2, 17, 3]
            int token = 1 + 6; // patch 6 of image 0 (and of image 1)
            List<LatentEdit> noOps = List.of(
                    EditSpec.builder(EditOperation.SCALE).latents(lat).value(1).build().resolve(null),
                    EditSpec.builder(EditOperation.ADD).latents(lat).value(0).tokens(EditTokens.cls()).build().resolve(null),
                    new LatentEdit(BLOCK, EditTokens.patches(6), lat, EditOperation.SET,
                            new float[] {own[token * 3], own[token * 3 + 1], own[token * 3 + 2]}, ErrorPolicy.KEEP));
            // set-to-own-value is exact on image 0 only; image 1 has other codes at patch 6, so give it a single image
            for (LatentEdit e : noOps.subList(0, 2)) {
                NDArray x = s.residual(e, SpliceForm.DELTA, nd);
                assertArrayEquals(plain.blocks().get(BLOCK).toFloatArray(), x.toFloatArray(), c + " " + e);
                VisionOutput out = s.run(e, SpliceForm.DELTA, nd);
                assertArrayEquals(plain.lastHiddenState().toFloatArray(), out.lastHiddenState().toFloatArray(), c + " " + e);
                assertArrayEquals(plain.pooled().toFloatArray(), out.pooled().toFloatArray(), c + " " + e);
            }
            NDArray one = pixels.get("0:1");
            try (EditSession first = EditSession.open(tower, sae, BLOCK, one, null)) {
                VisionOutput plainOne = tower.forward(one);
                VisionOutput out = first.run(noOps.get(2), SpliceForm.DELTA, nd);
                assertArrayEquals(plainOne.lastHiddenState().toFloatArray(), out.lastHiddenState().toFloatArray(), c + " set to own value");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RandomSaes.Case.class)
    void deltaFormEqualsEncodeOverwriteDecode(RandomSaes.Case c) {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = RandomSaes.of(c, WIDTH, D_SAE, nd);
             EditSession s = EditSession.open(tower, sae, BLOCK, pixels, null)) {
            int[] lat = busiest(s, D_SAE, 2);
            float[] x = tower.forward(pixels, Set.of(BLOCK)).blocks().get(BLOCK).toFloatArray();
            for (EditSpec spec : edits(lat[0], lat[1])) {
                for (ErrorPolicy error : ErrorPolicy.values()) {
                    LatentEdit e = spec.toBuilder().error(error).build().resolve(null);
                    try (NDManager step = nd.newSubManager()) {
                        float[] fast = s.residual(e, SpliceForm.DELTA, step).toFloatArray();
                        float[] full = s.residual(e, SpliceForm.FULL, step).toFloatArray();
                        assertClose(c + " " + e, full, fast);
                        boolean[] selected = selected(e.tokens(), s);
                        boolean moved = false;
                        for (int i = 0; i < x.length; i++) {
                            if (!selected[i / WIDTH]) {
                                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(fast[i]), c + " " + e + ": unselected value " + i);
                                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(full[i]), c + " " + e + ": unselected value " + i);
                            } else {
                                moved |= fast[i] != x[i];
                            }
                        }
                        assertTrue(moved, c + " " + e + " changed the selected tokens");
                        float[] logitsFast = s.run(e, SpliceForm.DELTA, step).lastHiddenState().toFloatArray();
                        float[] logitsFull = s.run(e, SpliceForm.FULL, step).lastHiddenState().toFloatArray();
                        assertClose(c + " " + e + " last hidden state", logitsFull, logitsFast);
                    }
                }
            }
        }
    }

    /** Per token of both images, whether {@code tokens} selects it. */
    static boolean[] selected(EditTokens tokens, EditSession s) {
        boolean[] one = tokens.mask(s.layout(), null);
        boolean[] all = new boolean[one.length * s.images()];
        for (int b = 0; b < s.images(); b++) {
            System.arraycopy(one, 0, all, b * one.length, one.length);
        }
        return all;
    }

    static void assertClose(String label, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, label);
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (!(diff <= ATOL + RTOL * Math.abs(expected[i]))) {
                fail(label + ": at " + i + " expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    static void assertNotClose(String label, float[] a, float[] b) {
        assertFalse(java.util.Arrays.equals(a, b), label);
    }
}
