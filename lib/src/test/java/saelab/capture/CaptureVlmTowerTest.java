package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.MlpOutputWeights;
import saelab.image.Preprocessor;
import saelab.lm.llava.LlavaModel;
import saelab.model.LoadedModel;
import saelab.model.ModelFamily;
import saelab.model.ModelFolder;
import saelab.model.ModelLoader;
import saelab.store.ActivationCache;
import saelab.store.StorageDtype;

/**
 * The vision tower of a LLaVA folder is a capture model like any other: {@code saelab capture --model <llava folder>}
 * records its blocks, equal to what {@link LlavaModel} computes on the same pixels, so an SAE trained on the cache
 * reads exactly the features the language model consumes ({@link LlavaModel#selectedFeatures}: block 1's patch tokens
 * in the llava_llama fixture); the neuron alignment reads its MLP output weights under the same prefix.
 */
class CaptureVlmTowerTest {

    private static final double ATOL = 1e-5;

    @TempDir
    Path tmp;

    /** The llava_llama fixture's config and weights with a CLIP preprocessing config for 32-pixel images (the fixture has none). */
    private Path llavaFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("llava"));
        Path src = CaptureTestData.golden("llava_llama");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "CLIPImageProcessor", "do_resize": true, "size": {"shortest_edge": 32},
                 "resample": 3, "do_center_crop": true, "crop_size": {"height": 32, "width": 32}, "do_rescale": true,
                 "rescale_factor": 0.00392156862745098, "do_normalize": true, "do_convert_rgb": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711]}
                """);
        return dir;
    }

    @Test
    void aLlavaFolderIsReadAsItsVisionTower() throws Exception {
        Path model = llavaFolder();
        ModelFolder f = ModelFolder.detect(model);
        assertEquals(ModelFamily.CLIP, f.family());
        assertEquals(ModelFolder.Towers.VISION_OF_VLM, f.towers());
        assertEquals(32, f.visionConfig().integer("hidden_size", 0));
        assertEquals("vision_tower.", f.weightPrefix());
        try (LoadedModel m = ModelLoader.load(model)) {
            assertEquals(3, m.vision().depth());
            assertEquals(32, m.vision().width());
            assertEquals(null, m.text());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            MlpOutputWeights w = MlpOutputWeights.load(model, 1, MlpOutputWeights.LayerScale.APPLY, nd);
            assertEquals("vision_tower.vision_model.encoder.layers.1.mlp.fc2.weight", w.tensor());
            assertEquals(32, w.dModel());
        }
    }

    @Test
    void captureOfBlockOneEqualsTheFeaturesTheLanguageModelReads() throws Exception {
        Path model = llavaFolder();
        Path images = CaptureTestData.images(tmp.resolve("images"), 2).getFirst().getParent();
        Path out = tmp.resolve("cache");
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, List.of(1), TokenSelection.parse("cls,patches"), out)
                .dtype(StorageDtype.F32).batch(2).threads(1).build();
        CapturePipeline.run(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        Preprocessor pre = Preprocessor.load(model);
        try (ActivationCache c = ActivationCache.open(out); LlavaModel llava = LlavaModel.load(model);
             NDManager nd = NDManager.newBaseManager()) {
            assertEquals(2, c.nImages());
            assertEquals(32, c.dModel());
            assertTrue(c.tokens().cls());
            assertEquals(16, c.tokens().patches());
            int n = (int) c.nImages();
            int per = 3 * 32 * 32;
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(pre.apply(images.resolve(c.image(i).path())), 0, px, i * per, per);
            }
            NDArray pixels = nd.create(px, new Shape(n, 3, 32, 32));
            float[] block1 = llava.visionTower().forwardBlocks(pixels, Set.of(1)).blocks().get(1).toFloatArray();
            float[] selected = llava.selectedFeatures(pixels).toFloatArray(); // [n, 16, 32]: block 1 without its class token
            for (int i = 0; i < n; i++) {
                assertClose(block1, (i * 17) * 32, c.read(i, 1, 0), "class token, image " + i);
                for (int p = 0; p < 16; p++) {
                    assertClose(selected, (i * 16 + p) * 32, c.read(i, 1, 1 + p), "patch " + p + ", image " + i);
                }
            }
        }
    }

    private static void assertClose(float[] want, int offset, float[] got, String where) {
        assertEquals(32, got.length, where);
        for (int k = 0; k < got.length; k++) {
            double diff = Math.abs(want[offset + k] - got[k]);
            assertTrue(diff <= ATOL, where + ", dim " + k + ": expected " + want[offset + k] + ", got " + got[k]);
        }
    }
}
