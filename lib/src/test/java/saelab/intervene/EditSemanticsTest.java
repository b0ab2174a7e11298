package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import saelab.analysis.AnalysisIndex;
import saelab.analysis.AnalysisResult;
import saelab.analysis.TopKLists;
import saelab.model.ForwardBenchmark;
import saelab.model.LoadedModel;
import saelab.model.MappedSafetensors;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * What each operation, unit and error policy does, checked against the formula computed independently in Java
 * doubles from the SAE's own encode and its decoder rows: set, scale, add and ablate move a selected token by
 * (v − f) W_dec[i] with the stated v; error {@code drop} gives the edited reconstruction decode(f') on edited tokens;
 * unit {@code max} multiplies by the analysis maximum; input normalisation folded into a checkpoint edits in the
 * SAE's normalised space; the golden tiny DINOv2 (two images, per-patch labels) splices exactly.
 */
class EditSemanticsTest {

    private static final int WIDTH = SpliceExactnessTest.WIDTH;
    private static final int D_SAE = 48;
    private static NDManager weights;
    private static VisionTower tower;
    private static NDArray pixels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        weights = NDManager.newBaseManager();
        tower = ForwardBenchmark.syntheticDinov2(weights, WIDTH, 3, 4, 4, 16, 3);
        pixels = weights.randomNormal(new Shape(1, 3, 16, 16));
    }

    @AfterAll
    static void free() {
        weights.close();
    }

    /** The expected edited rows [T, D]: x + Σᵢ (vᵢ − fᵢ) W_dec[i] (keep) or decode(f') (drop) on selected tokens. */
    private static double[] expected(Sae sae, float[] x, LatentEdit e, boolean[] selected, NDManager nd) {
        int t = selected.length;
        SaeCheckpoint.Arrays a = sae.exportArrays();
        float[] codes = sae.encode(nd.create(x, new Shape(t, WIDTH))).toFloatArray();
        int f = sae.config().dSae();
        double[] out = new double[x.length];
        for (int r = 0; r < t; r++) {
            double[] edited = new double[f];
            for (int j = 0; j < f; j++) {
                edited[j] = codes[r * f + j];
            }
            if (selected[r]) {
                for (int i = 0; i < e.latents().length; i++) {
                    int l = e.latents()[i];
                    double cur = codes[r * f + l];
                    double amount = e.amounts()[i];
                    edited[l] = switch (e.operation()) {
                        case SET -> amount;
                        case SCALE -> cur * amount;
                        case ADD -> cur + amount;
                        case ABLATE -> 0;
                    };
                }
            }
            for (int c = 0; c < WIDTH; c++) {
                double rec = a.bDec()[c];
                double recEdited = a.bDec()[c];
                for (int j = 0; j < f; j++) {
                    rec += codes[r * f + j] * (double) a.wDec()[j * WIDTH + c];
                    recEdited += edited[j] * a.wDec()[j * WIDTH + c];
                }
                double keep = x[r * WIDTH + c] - rec + recEdited;
                out[r * WIDTH + c] = !selected[r] ? x[r * WIDTH + c] : e.error() == ErrorPolicy.KEEP ? keep : recEdited;
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = RandomSaes.Case.class, names = {"RELU", "TOPK", "JUMPRELU"})
    void operationsAndErrorPoliciesFollowTheirFormulas(RandomSaes.Case c) {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = RandomSaes.of(c, WIDTH, D_SAE, nd);
             EditSession s = EditSession.open(tower, sae, 0, pixels, null)) {
            float[] x = tower.forward(pixels, Set.of(0)).blocks().get(0).toFloatArray();
            int[] lat = SpliceExactnessTest.busiest(s, D_SAE, 2);
            for (EditSpec spec : SpliceExactnessTest.edits(lat[0], lat[1])) {
                for (ErrorPolicy error : ErrorPolicy.values()) {
                    LatentEdit e = spec.toBuilder().error(error).build().resolve(null);
                    boolean[] selected = e.tokens().mask(s.layout(), null);
                    double[] want = expected(sae, x, e, selected, nd);
                    float[] got = s.residual(e, SpliceForm.DELTA, nd).toFloatArray();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(want[i], got[i], 1e-4 + 1e-4 * Math.abs(want[i]), c + " " + e + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void unitMaxMultipliesByTheAnalysisMaximum() throws IOException {
        Path dir = tmp.resolve("analysis");
        analysis(List.of(3, 7), new float[] {2f, 0.5f}, D_SAE).write(dir);
        LatentMaxima maxima = LatentMaxima.read(dir).requireDSae(D_SAE);
        EditSpec set = EditSpec.builder(EditOperation.SET).latents(7, 3).value(-2).unit(ValueUnit.MAX).analysis(dir.toString()).build();
        assertArrayEquals(new float[] {-1f, -4f}, set.resolve(maxima).amounts());
        EditSpec add = EditSpec.builder(EditOperation.ADD).latents(3).value(0.25).unit(ValueUnit.MAX).analysis(dir.toString()).build();
        assertArrayEquals(new float[] {0.5f}, add.resolve(maxima).amounts());
        assertArrayEquals(new float[] {-2f}, set.toBuilder().unit(ValueUnit.RAW).latents(3).build().resolve(null).amounts());
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> set.toBuilder().latents(4).build().resolve(maxima));
        assertTrue(missing.getMessage().contains("latent 4 has no row in"), missing.getMessage());
        IllegalArgumentException other = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> maxima.requireDSae(64));
        assertTrue(other.getMessage().contains("d_sae=48") && other.getMessage().contains("d_sae=64"), other.getMessage());
    }

    /** An analysis of {@code latents} whose only statistic that matters here is the patch maximum. */
    static AnalysisResult analysis(List<Integer> latents, float[] max, int dSae) {
        int n = latents.size();
        AnalysisIndex ix = new AnalysisIndex(AnalysisIndex.FORMAT, "sae.safetensors", "relu", dSae, "cache", "saelab-cache/1", "model", 0, 1,
                latents, 4, 16, 4, 4, true, 64, 4, List.of(1e-3, 1.0), 1, 0, List.of());
        float[] values = new float[n];
        int[] idx = new int[n];
        return new AnalysisResult(ix, new long[n], new double[n], max, new long[n], new double[n], new float[n], new long[n],
                new TopKLists.Sorted(values, idx, idx), new TopKLists.Sorted(values, idx, idx), new TopKLists.Sorted(values, idx, idx));
    }

    @Test
    void foldedInputNormalisationEditsInTheSaesSpace() {
        float s = 2.5f;
        try (NDManager nd = NDManager.newBaseManager(); Sae trained = RandomSaes.of(RandomSaes.Case.RELU, WIDTH, D_SAE, nd)) {
            SaeCheckpoint.Arrays a = trained.exportArrays(); // the SAE as trained on inputs scaled by s
            SaeConfig cfg = SaeConfig.builder(SaeKind.RELU, WIDTH, D_SAE).normalizeInput(true).build();
            float[] encRows = new float[a.wEnc().length];
            float[] dec = a.wDec().clone();
            float[] bDec = a.bDec().clone();
            for (int c = 0; c < WIDTH; c++) {
                for (int j = 0; j < D_SAE; j++) {
                    encRows[j * WIDTH + c] = a.wEnc()[c * D_SAE + j] * s;
                }
                bDec[c] /= s;
            }
            for (int i = 0; i < dec.length; i++) {
                dec[i] /= s;
            }
            try (Sae folded = Sae.of(cfg, nd, encRows, a.bEnc(), dec, bDec); EditSession raw = EditSession.open(tower, folded, 0, pixels, null)) {
                NDArray x = tower.forward(pixels, Set.of(0)).blocks().get(0);
                try (EditSession scaled = EditSession.ofResidual(tower, trained, 0, x.mul(s), raw.layout(), null)) {
                    int[] lat = SpliceExactnessTest.busiest(scaled, D_SAE, 2);
                    assertArrayEquals(scaled.codes(lat), raw.codes(lat), 1e-4f, "the same codes from raw and from scaled inputs");
                    LatentEdit e = EditSpec.builder(EditOperation.SET).latents(lat).value(3).build().resolve(null);
                    float[] inScaled = scaled.residual(e, SpliceForm.DELTA, nd).toFloatArray();
                    float[] inRaw = raw.residual(e, SpliceForm.DELTA, nd).toFloatArray();
                    for (int i = 0; i < inRaw.length; i++) {
                        assertEquals(inScaled[i] / s, inRaw[i], 1e-4 + 1e-4 * Math.abs(inRaw[i]), "value " + i);
                    }
                }
            }
        }
    }

    @Test
    void goldenDinov2SplicesExactlyWithClassTokens() throws IOException {
        try (LoadedModel m = ModelLoader.load(saelab.model.Golden.dir("dinov2")); NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(saelab.model.Golden.dir("dinov2").resolve("inputs.safetensors"));
             Sae sae = RandomSaes.of(RandomSaes.Case.TOPK, (int) m.vision().width(), 64, nd)) {
            VisionTower v = m.vision();
            NDArray px = in.load("pixel_values", nd);
            int images = (int) px.getShape().get(0);
            VisionOutput plain = v.forward(px, Set.of(1));
            int patches = plain.layout().patches();
            int[][] labels = new int[images][patches];
            for (int b = 0; b < images; b++) {
                for (int p = 0; p < patches; p++) {
                    labels[b][p] = (p + b) % 3; // class 2 sits on other patches in each image
                }
            }
            try (EditSession s = EditSession.open(v, sae, 1, px, labels)) {
                int[] lat = SpliceExactnessTest.busiest(s, 64, 2);
                LatentEdit noOp = EditSpec.builder(EditOperation.SCALE).latents(lat).value(1).build().resolve(null);
                VisionOutput same = s.run(noOp, SpliceForm.DELTA, nd);
                assertArrayEquals(plain.lastHiddenState().toFloatArray(), same.lastHiddenState().toFloatArray());
                assertArrayEquals(plain.pooled().toFloatArray(), same.pooled().toFloatArray());
                LatentEdit e = EditSpec.builder(EditOperation.SET).latents(lat).value(-4).tokens(EditTokens.ofClass(2)).build().resolve(null);
                float[] x = plain.blocks().get(1).toFloatArray();
                float[] fast = s.residual(e, SpliceForm.DELTA, nd).toFloatArray();
                SpliceExactnessTest.assertClose("golden dinov2 class:2", s.residual(e, SpliceForm.FULL, nd).toFloatArray(), fast);
                int width = (int) v.width();
                int tokens = plain.layout().tokens();
                int first = plain.layout().firstPatch();
                for (int b = 0; b < images; b++) {
                    for (int t = 0; t < tokens; t++) {
                        boolean isClass = t >= first && labels[b][t - first] == 2;
                        boolean moved = false;
                        for (int c = 0; c < width; c++) {
                            int i = (b * tokens + t) * width + c;
                            moved |= fast[i] != x[i];
                        }
                        assertEquals(isClass, moved, "image " + b + " token " + t + " is edited exactly when its patch has class 2");
                    }
                }
                SpliceExactnessTest.assertClose("golden dinov2 pooled", s.run(e, SpliceForm.FULL, nd).pooled().toFloatArray(),
                        s.run(e, SpliceForm.DELTA, nd).pooled().toFloatArray());
            }
        }
    }
}
