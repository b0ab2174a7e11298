package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.image.Preprocessor;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;
import saelab.store.ShuffleOptions;
import saelab.store.ShuffledStream;
import saelab.store.StorageDtype;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;

/**
 * A capture records the final-normed tokens ({@code final}) and the pooled output ({@code pooled}) like any block,
 * equal to what the model's forward pass computes, and every cache reader reads them.
 */
class CaptureFinalLayerTest {

    private static final double ATOL = 1e-5;

    @TempDir
    Path tmp;

    /** A copy of golden fixture {@code name} with a preprocessing config giving {@code side}-pixel images. */
    private Path model(String name, String processor, int side) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path src = CaptureTestData.golden(name);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "%s", "do_resize": true, "size": {"height": %d, "width": %d},
                 "resample": 2, "do_center_crop": false, "do_rescale": true, "rescale_factor": 0.00392156862745098,
                 "do_normalize": true, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}
                """.formatted(processor, side, side));
        return dir;
    }

    /** Captures block 1, final and pooled in f32 and checks them against the forward pass; returns the cache folder. */
    private Path captureAndCompare(Path model, int side, boolean expectCls) throws Exception {
        Path images = CaptureTestData.images(tmp.resolve("images-" + model.getFileName()), 5).getFirst().getParent();
        Path out = tmp.resolve("cache-" + model.getFileName());
        List<Integer> layers = List.of(1, RecordedLayer.FINAL, RecordedLayer.POOLED);
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, layers,
                TokenSelection.parse(expectCls ? "cls,patches" : "patches"), out).dtype(StorageDtype.F32).batch(2).threads(2).build();
        CapturePipeline.run(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        Preprocessor pre = Preprocessor.load(model);
        try (ActivationCache c = ActivationCache.open(out); LoadedModel m = ModelLoader.load(model);
             NDManager nd = NDManager.newBaseManager()) {
            assertEquals(layers, c.layers());
            int n = (int) c.nImages();
            int per = 3 * side * side;
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(pre.apply(images.resolve(c.image(i).path())), 0, px, i * per, per);
            }
            int depth = m.vision().depth();
            VisionOutput ref = m.vision().forward(nd.create(px, new Shape(n, 3, side, side)), Set.of(1, depth - 1));
            // the final norm applied to every token of the last block (for DINOv2 that is the reference's last_hidden_state)
            float[] fin = m.vision().head().normAll(ref.blocks().get(depth - 1)).toFloatArray();
            float[] pooled = ref.pooled().toFloatArray();
            float[] block1 = ref.blocks().get(1).toFloatArray();
            int d = c.dModel();
            int seq = (int) ref.blocks().get(1).getShape().get(1);
            int first = seq - c.tokens().patches(); // sequence index of the first patch
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < c.tokens().tokens(); t++) {
                    int s = t < c.tokens().firstPatch() ? 0 : first + t - c.tokens().firstPatch();
                    assertClose(fin, (i * seq + s) * d, c.read(i, RecordedLayer.FINAL, t), "final, image " + i + ", token " + t);
                    assertClose(block1, (i * seq + s) * d, c.read(i, 1, t), "block 1, image " + i + ", token " + t);
                    assertClose(pooled, i * d, c.read(i, RecordedLayer.POOLED, t), "pooled, image " + i + ", token " + t);
                }
            }
            return out;
        }
    }

    private static void assertClose(float[] want, int offset, float[] got, String where) {
        for (int k = 0; k < got.length; k++) {
            double diff = Math.abs(want[offset + k] - got[k]);
            assertTrue(diff <= ATOL, where + ", dim " + k + ": expected " + want[offset + k] + ", got " + got[k]);
        }
    }

    @Test
    void dinov2FinalIsTheLastHiddenStateAndPooledTheNormedClassToken() throws Exception {
        Path model = model("dinov2", "BitImageProcessor", 56);
        Path out = captureAndCompare(model, 56, true);
        try (ActivationCache c = ActivationCache.open(out); LoadedModel m = ModelLoader.load(model); NDManager nd = NDManager.newBaseManager()) {
            // DINOv2's pooled output is the class token of the final-normed sequence
            for (int i = 0; i < c.nImages(); i++) {
                float[] cls = c.read(i, RecordedLayer.FINAL, 0);
                assertClose(cls, 0, c.read(i, RecordedLayer.POOLED, 0), "pooled vs final CLS, image " + i);
            }
        }
    }

    @Test
    void clipFinalIsThePostLayernormOfEveryTokenAndPooledItsClassToken() throws Exception {
        captureAndCompare(model("clip", "CLIPImageProcessor", 32), 32, true);
    }

    @Test
    void siglipPooledIsTheAttentionPoolOutputAndEveryReaderReadsIt() throws Exception {
        Path out = captureAndCompare(model("siglip", "SiglipImageProcessor", 32), 32, false);
        try (ActivationCache c = ActivationCache.open(out)) {
            Iterator<TokenBatch> it = c.sequential(RecordedLayer.FINAL, TokenKind.PATCHES, 2);
            TokenBatch b = it.next();
            assertEquals(2 * c.tokens().patches(), b.rows());
            float[] want = c.read(1, RecordedLayer.FINAL, 3);
            int row = c.tokens().patches() + 3;
            for (int k = 0; k < c.dModel(); k++) {
                assertEquals(want[k], b.get(row, k));
            }
            try (ShuffledStream s = c.shuffled(ShuffleOptions.builder(RecordedLayer.POOLED).batchSize(4).seed(3).threads(1)
                    .maxSamples(4).build())) {
                TokenBatch sb = s.next();
                for (int r = 0; r < sb.rows(); r++) {
                    float[] p = c.read(sb.image()[r], RecordedLayer.POOLED, 0);
                    for (int k = 0; k < c.dModel(); k++) {
                        assertEquals(p[k], sb.get(r, k));
                    }
                }
            }
        }
    }

    @Test
    void layerNamesParseAndAnUnknownNameIsOneSentence() {
        assertEquals(RecordedLayer.FINAL, RecordedLayer.parse("final", "--layers"));
        assertEquals(RecordedLayer.POOLED, RecordedLayer.parse(" Pooled ", "--layers"));
        assertEquals(11, RecordedLayer.parse("11", "--layers"));
        assertEquals(RecordedLayer.PROJECTION, RecordedLayer.parse("projection", "--layers"));
        assertEquals("projection", RecordedLayer.name(RecordedLayer.PROJECTION));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordedLayer.parse("-1", "--layers"));
        assertEquals("--layers: '-1' is not a layer; expected a 0-based block index, final, pooled or projection (moondream2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecordedLayer.parse("last", "--layers"));
    }
}
