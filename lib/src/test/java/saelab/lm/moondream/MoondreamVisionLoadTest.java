package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;

/**
 * Loading moondream2's vision weights: every tensor is required by name (the reference's
 * {@code load_state_dict(strict=False)} would silently keep random weights), and each fault is one
 * sentence naming the file and the tensor.
 */
class MoondreamVisionLoadTest {

    @TempDir
    Path tmp;

    /** A copy of the fixture folder whose model.safetensors holds {@code tensors}. */
    private Path folderWith(Map<String, Safetensors.Tensor> tensors) throws IOException {
        Files.copy(MoondreamFixture.dir().resolve("config.json"), tmp.resolve("config.json"));
        Safetensors.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return tmp;
    }

    private static Map<String, Safetensors.Tensor> fixtureWeights() throws IOException {
        return new LinkedHashMap<>(Safetensors.read(MoondreamFixture.dir().resolve("model.safetensors")).tensors());
    }

    private static String loadError(Path dir) {
        return assertThrows(IllegalArgumentException.class, () -> MoondreamVision.load(dir).close()).getMessage();
    }

    @Test
    void theFixtureLoadsWithItsSizes() throws IOException {
        try (MoondreamVision m = MoondreamVision.load(MoondreamFixture.dir())) {
            assertEquals(27, m.encoder().depth());
            assertEquals(12, m.encoder().width());
            assertEquals(729, m.encoder().tokensPerCrop());
            assertEquals(24, m.projection().inputDim());
            assertEquals(64, m.projection().outputDim());
        }
    }

    @Test
    void aMissingTensorNamesTheFileAndTheTensor() throws IOException {
        Map<String, Safetensors.Tensor> w = fixtureWeights();
        w.remove("model.vision.blocks.26.mlp.fc2.bias");
        String m = loadError(folderWith(w));
        assertTrue(m.startsWith(tmp.resolve("model.safetensors") + ": tensor 'model.vision.blocks.26.mlp.fc2.bias' is missing"), m);
    }

    @Test
    void aMissingProjectionTensorIsNamedToo() throws IOException {
        Map<String, Safetensors.Tensor> w = fixtureWeights();
        w.remove("model.vision.proj_mlp.fc2.weight");
        String m = loadError(folderWith(w));
        assertTrue(m.contains("tensor 'model.vision.proj_mlp.fc2.weight' is missing"), m);
    }

    @Test
    void aWrongShapeNamesBothShapes() throws IOException {
        Map<String, Safetensors.Tensor> w = fixtureWeights();
        w.put("model.vision.pos_emb", new Safetensors.Tensor(new long[] {1, 728, 12}, new float[728 * 12]));
        String m = loadError(folderWith(w));
        assertTrue(m.contains("tensor 'model.vision.pos_emb' has shape [1, 728, 12], expected [1, 729, 12]"), m);
    }

    @Test
    void theOlderHubLayoutIsRefusedInOneSentence() throws IOException {
        Map<String, Safetensors.Tensor> w = new LinkedHashMap<>();
        w.put("vision_encoder.encoder.model.visual.patch_embed.linear.weight", new Safetensors.Tensor(new long[] {12, 12}, new float[144]));
        String m = loadError(folderWith(w));
        assertTrue(m.contains("older moondream2 layout") && m.contains("model.vision.*"), m);
    }

    @Test
    void aFolderWithoutWeightsOrConfigIsNamed() throws IOException {
        Files.copy(MoondreamFixture.dir().resolve("config.json"), tmp.resolve("config.json"));
        String m = loadError(tmp);
        assertTrue(m.startsWith(tmp + ": model.safetensors is missing"), m);
        Files.delete(tmp.resolve("config.json"));
        assertTrue(loadError(tmp).startsWith(tmp + ": config.json is missing"));
    }

    @Test
    void encoderAndStitchRefuseWrongShapes() throws IOException {
        try (MoondreamVision m = MoondreamVision.load(MoondreamFixture.dir()); NDManager nd = NDManager.newBaseManager()) {
            String e1 = assertThrows(IllegalArgumentException.class, () -> m.encode(nd.zeros(new Shape(2, 3, 56, 56))))
                    .getMessage();
            assertTrue(e1.contains("expected [crops, 3, 54, 54]"), e1);
            String e2 = assertThrows(IllegalArgumentException.class,
                    () -> m.stitch(nd.zeros(new Shape(4, 729, 12)), new CropTiling(2, 2))).getMessage();
            assertTrue(e2.contains("expected [5 crops (global + 2x2 tiles), 729, 12]"), e2);
            String e3 = assertThrows(IllegalArgumentException.class, () -> m.project(nd.zeros(new Shape(729, 12))))
                    .getMessage();
            assertTrue(e3.contains("expected [..., 24]"), e3);
        }
    }
}
