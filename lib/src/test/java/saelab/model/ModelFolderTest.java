package saelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.MlpOutputWeights;

/** The one family detection: what each config declares, and the same sentence from the loader and the neuron reader. */
class ModelFolderTest {

    @TempDir
    Path tmp;

    private Path folder(String name, String file, String json) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve(file), json);
        return d;
    }

    @Test
    void eachModelTypeGivesItsFamily() throws IOException {
        String[][] cases = {{"dinov2", "DINOV2", "VISION_ONLY"}, {"dinov2_with_registers", "DINOV2_REGISTERS", "VISION_ONLY"},
                {"clip", "CLIP", "VISION_AND_TEXT"}, {"clip_vision_model", "CLIP", "VISION_ONLY"}, {"siglip", "SIGLIP", "VISION_AND_TEXT"},
                {"siglip_vision_model", "SIGLIP", "VISION_ONLY"}};
        for (String[] c : cases) {
            ModelFolder f = ModelFolder.detect(folder(c[0], "config.json", "{\"model_type\": \"" + c[0] + "\","
                    + " \"hidden_size\": 7, \"vision_config\": {\"hidden_size\": 9}}"));
            assertEquals(ModelFamily.valueOf(c[1]), f.family(), c[0]);
            assertEquals(ModelFolder.Towers.valueOf(c[2]), f.towers(), c[0]);
            assertEquals(f.towers() == ModelFolder.Towers.VISION_ONLY ? 7 : 9, f.visionConfig().integer("hidden_size", 0), c[0]);
        }
    }

    @Test
    void openClipConfigWinsAndNeedsModelCfg() throws IOException {
        Path d = folder("oc", "open_clip_config.json", "{\"model_cfg\": {\"vision_cfg\": {\"width\": 5}}}");
        Files.writeString(d.resolve("config.json"), "{\"model_type\": \"clip\"}");
        ModelFolder f = ModelFolder.detect(d);
        assertEquals(ModelFamily.OPEN_CLIP, f.family());
        assertEquals(ModelFolder.Towers.VISION_AND_TEXT, f.towers());
        assertEquals(5, f.visionConfig().integer("width", 0));
        assertEquals("model_cfg.vision_cfg.width", f.visionConfig().fieldPath("width"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f::openWeights);
        assertTrue(e.getMessage().contains("open_clip_model.safetensors is missing"), e.getMessage());
        Files.writeString(d.resolve("open_clip_config.json"), "{}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.detect(d));
        assertTrue(e.getMessage().contains("'model_cfg'") && e.getMessage().contains("open_clip_config.json"), e.getMessage());
    }

    @Test
    void loaderAndNeuronReaderRefuseAnUnknownTypeWithTheSameSentence() throws IOException {
        Path d = folder("vit", "config.json", "{\"model_type\": \"vit_mae\"}");
        String loader = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(d)).getMessage();
        String neurons;
        try (NDManager nd = NDManager.newBaseManager()) {
            neurons = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(d, 0, MlpOutputWeights.LayerScale.APPLY, nd)).getMessage();
        }
        assertEquals(loader, neurons);
        assertEquals(d.resolve("config.json") + ": field 'model_type' is \"vit_mae\"; expected " + ModelFolder.HF_TYPES, loader);
    }

    @Test
    void weightsMissingBesideConfigMentionsAPickle() throws IOException {
        Path d = folder("pickle", "config.json", "{\"model_type\": \"dinov2\"}");
        Files.writeString(d.resolve("pytorch_model.bin"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.detect(d).openWeights());
        assertTrue(e.getMessage().contains("no model.safetensors") && e.getMessage().contains("pickle"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.detect(tmp.resolve("absent")));
        assertTrue(e.getMessage().endsWith("model folder does not exist"), e.getMessage());
    }
}
