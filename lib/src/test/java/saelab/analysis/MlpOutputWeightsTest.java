package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import saelab.io.Safetensors;
import saelab.model.Golden;
import saelab.model.ModelFamily;

/**
 * The MLP output projection of every supported family, read from the golden fixture models and checked
 * against the raw tensors (read independently with the heap safetensors reader), with DINOv2's LayerScale
 * multiplied in row by row; and the errors for a missing block, a missing tensor, a wrong shape, an unknown type.
 */
class MlpOutputWeightsTest {

    static NDManager nd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        nd = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        nd.close();
    }

    @ParameterizedTest
    @CsvSource({
        "dinov2, model.safetensors, encoder.layer.1.mlp.fc2.weight, encoder.layer.1.layer_scale2.lambda1, DINOV2",
        "dinov2_registers, model.safetensors, encoder.layer.1.mlp.fc2.weight, encoder.layer.1.layer_scale2.lambda1, DINOV2_REGISTERS",
        "clip, model.safetensors, vision_model.encoder.layers.1.mlp.fc2.weight, , CLIP",
        "siglip, model.safetensors, vision_model.encoder.layers.1.mlp.fc2.weight, , SIGLIP",
        "bioclip, open_clip_model.safetensors, visual.transformer.resblocks.1.mlp.c_proj.weight, , OPEN_CLIP"})
    void readsTheBlocksOutputProjection(String fixture, String file, String tensor, String scale, ModelFamily family) throws IOException {
        Path dir = Golden.dir(fixture);
        Map<String, Safetensors.Tensor> raw = Safetensors.read(dir.resolve(file)).tensors();
        Safetensors.Tensor w = raw.get(tensor);
        assertArrayEquals(new long[] {32, 128}, w.shape());
        float[] expected = w.values().clone();
        if (scale != null) {
            float[] ls = raw.get(scale).values();
            for (int i = 0; i < 32; i++) {
                for (int j = 0; j < 128; j++) {
                    expected[i * 128 + j] *= ls[i];
                }
            }
        }
        MlpOutputWeights m = MlpOutputWeights.load(dir, 1, MlpOutputWeights.LayerScale.APPLY, nd);
        assertEquals(family, m.family());
        assertEquals(tensor, m.tensor());
        assertEquals(scale, m.layerScale());
        assertEquals(1, m.layer());
        assertEquals(3, m.blocks());
        assertEquals(32, m.dModel());
        assertEquals(128, m.dMlp());
        assertTrue(m.file().endsWith(file), m.file());
        assertArrayEquals(expected, m.wOut());
        float[] col = m.column(100);
        for (int i = 0; i < 32; i++) {
            assertEquals(expected[i * 128 + 100], col[i]);
        }
        // without the layer scale: the raw weight
        MlpOutputWeights plain = MlpOutputWeights.load(dir, 1, MlpOutputWeights.LayerScale.IGNORE, nd);
        assertNull(plain.layerScale());
        assertArrayEquals(w.values(), plain.wOut());
    }

    @Test
    void layerScaleIsNotUniformInTheFixtureSoItMatters() throws IOException {
        float[] ls = Safetensors.read(Golden.dir("dinov2").resolve("model.safetensors")).tensors()
                .get("encoder.layer.2.layer_scale2.lambda1").values();
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : ls) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertTrue(hi / lo > 1.5, "layer scale spread " + lo + ".." + hi);
    }

    @ParameterizedTest
    @CsvSource({
        "dinov2, config.json, num_hidden_layers",
        "clip, config.json, vision_config.num_hidden_layers",
        "siglip, config.json, vision_config.num_hidden_layers",
        "bioclip, open_clip_config.json, model_cfg.vision_cfg.layers"})
    void aBlockOutsideTheModelNamesTheConfigField(String fixture, String config, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MlpOutputWeights.load(Golden.dir(fixture), 3, MlpOutputWeights.LayerScale.APPLY, nd));
        String msg = e.getMessage();
        assertTrue(msg.contains(config) && msg.contains("field '" + field + "'") && msg.contains("block 3") && msg.contains("0..2"), msg);
        assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(Golden.dir(fixture), -1, MlpOutputWeights.LayerScale.APPLY, nd));
    }

    @Test
    void aMissingTensorNamesTheFileAndTensor() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.copy(Golden.dir("dinov2").resolve("config.json"), dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"),
                Map.of("encoder.layer.1.layer_scale2.lambda1", new Safetensors.Tensor(new long[] {32}, new float[32])), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(dir, 1, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString())
                && e.getMessage().contains("'encoder.layer.1.mlp.fc2.weight'") && e.getMessage().contains("missing"), e.getMessage());
        // the weight present but the layer scale missing: named too
        Safetensors.write(dir.resolve("model.safetensors"),
                Map.of("encoder.layer.1.mlp.fc2.weight", new Safetensors.Tensor(new long[] {32, 128}, new float[32 * 128])), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(dir, 1, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains("'encoder.layer.1.layer_scale2.lambda1'"), e.getMessage());
        assertEquals(128, MlpOutputWeights.load(dir, 1, MlpOutputWeights.LayerScale.IGNORE, nd).dMlp());
    }

    @Test
    void aWrongShapeNamesTheTensorAndBothShapes() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.copy(Golden.dir("clip").resolve("config.json"), dir.resolve("config.json"));
        String name = "vision_model.encoder.layers.0.mlp.fc2.weight";
        Safetensors.write(dir.resolve("model.safetensors"), Map.of(name, new Safetensors.Tensor(new long[] {16, 256}, new float[16 * 256])),
                Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(dir, 0, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("[16, 256]") && e.getMessage().contains("[32, d_mlp]"),
                e.getMessage());
    }

    @Test
    void unknownFoldersAndTypesAreNamed() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(dir, 0, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("open_clip_config.json"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"vit\"}");
        e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(dir, 0, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("'model_type'") && e.getMessage().contains("\"vit\""),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MlpOutputWeights.load(tmp.resolve("nope"), 0, MlpOutputWeights.LayerScale.APPLY, nd));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
