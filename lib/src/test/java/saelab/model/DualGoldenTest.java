package saelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import saelab.io.Safetensors;

/**
 * Image-text models against the golden fixtures: Hugging Face CLIP (legacy eos_token_id 2) and
 * SigLIP (transformers 4.45.2), and BioCLIP's open_clip layout (open_clip 2.32.0, QuickGELU).
 * Every tensor of each {@code outputs.safetensors} is compared, except the CLIP fixture's extra
 * {@code vision.post_layernorm_all_tokens}, checked through {@link VisionHead#normAll}.
 */
class DualGoldenTest {

    static Map<String, Double> check(String fixture) throws IOException {
        return check(Golden.dir(fixture), fixture);
    }

    /** Runs the model in {@code modelDir} on the inputs of {@code fixture} and compares with its outputs. */
    static Map<String, Double> check(Path modelDir, String fixture) throws IOException {
        Map<String, Safetensors.Tensor> want = Golden.tensors(fixture, "outputs.safetensors");
        Map<String, Double> errs = new TreeMap<>();
        try (LoadedModel m = ModelLoader.load(modelDir);
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            NDArray px = in.load("pixel_values", nd);
            long[][] ids = ids(in.load("input_ids", nd));
            VisionOutput v = m.vision().forward(px, all(m.vision().depth()));
            TextOutput t = m.text().forward(nd, ids, all(m.text().depth()));
            cmp(errs, want, "vision.embeddings", v.embeddings());
            cmp(errs, want, "text.embeddings", t.embeddings());
            for (int l = 0; l < m.vision().depth(); l++) {
                cmp(errs, want, "vision.block." + l, v.blocks().get(l));
            }
            for (int l = 0; l < m.text().depth(); l++) {
                cmp(errs, want, "text.block." + l, t.blocks().get(l));
            }
            cmp(errs, want, "vision.last_hidden_state", v.lastHiddenState());
            cmp(errs, want, "vision.pooler_output", v.pooled());
            cmp(errs, want, "text.last_hidden_state", t.lastHiddenState());
            cmp(errs, want, "text.pooler_output", t.pooled());
            cmp(errs, want, "image_embeds", v.imageEmbeds());
            cmp(errs, want, "text_embeds", t.textEmbeds());
            cmp(errs, want, "image_embeds_normalized", DualEncoder.normalize(v.imageEmbeds()));
            cmp(errs, want, "text_embeds_normalized", DualEncoder.normalize(t.textEmbeds()));
            NDArray logits = m.dual().logitsPerImage(v.imageEmbeds(), t.textEmbeds());
            cmp(errs, want, "logits_per_image", logits);
            cmp(errs, want, "logits_per_text", logits.transpose());
            if (want.containsKey("vision.post_layernorm_all_tokens")) {
                cmp(errs, want, "vision.post_layernorm_all_tokens", m.vision().head().normAll(v.lastHiddenState()));
            }
        }
        assertEquals(want.keySet(), errs.keySet(), "every fixture tensor is compared");
        return errs;
    }

    static Set<Integer> all(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toSet());
    }

    static long[][] ids(NDArray a) {
        long[] flat = a.toLongArray();
        int b = (int) a.getShape().get(0);
        int t = (int) a.getShape().get(1);
        long[][] ids = new long[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, ids[i], 0, t);
        }
        return ids;
    }

    private static void cmp(Map<String, Double> errs, Map<String, Safetensors.Tensor> want, String name, NDArray got) {
        errs.put(name, Golden.assertClose(name, want.get(name), got));
    }

    @Test
    void clipMatchesTransformers() throws IOException {
        Dinov2GoldenTest.report("clip", check("clip"));
    }

    @Test
    void siglipMatchesTransformers() throws IOException {
        Dinov2GoldenTest.report("siglip", check("siglip"));
    }

    @Test
    void bioclipMatchesOpenClip() throws IOException {
        Dinov2GoldenTest.report("bioclip", check("bioclip"));
    }

    @ParameterizedTest
    @CsvSource({"clip, clip_vision_model", "siglip, siglip_vision_model"})
    void visionOnlyConfigsGiveTheSameVisionTower(String fixture, String type, @TempDir Path tmp) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(fixture));
        Files.copy(Golden.dir(fixture).resolve("model.safetensors"), d.resolve("model.safetensors"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode vision = (ObjectNode) json.readTree(Golden.dir(fixture).resolve("config.json").toFile()).get("vision_config");
        vision.put("model_type", type);
        vision.put("projection_dim", 24); // CLIPVisionModelWithProjection reads it from the vision config
        Files.writeString(d.resolve("config.json"), vision.toString());
        Map<String, Safetensors.Tensor> want = Golden.tensors(fixture, "outputs.safetensors");
        try (LoadedModel m = ModelLoader.load(d);
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            assertNull(m.text());
            VisionOutput v = m.vision().forward(in.load("pixel_values", nd), Set.of(2));
            Golden.assertClose("block.2", want.get("vision.block.2"), v.blocks().get(2));
            Golden.assertClose("last_hidden_state", want.get("vision.last_hidden_state"), v.lastHiddenState());
            Golden.assertClose("pooler_output", want.get("vision.pooler_output"), v.pooled());
            Golden.assertClose("image_embeds", want.get("image_embeds"), v.imageEmbeds());
        }
    }

    @Test
    void bioclipWithExactGeluIsCaught(@TempDir Path tmp) throws IOException {
        // open_clip builds exact GELU when model_cfg lacks quick_gelu: the switch matters
        Path d = Files.createDirectories(tmp.resolve("bioclip"));
        Files.copy(Golden.dir("bioclip").resolve("open_clip_model.safetensors"), d.resolve("open_clip_model.safetensors"));
        Files.writeString(d.resolve("open_clip_config.json"),
                Files.readString(Golden.dir("bioclip").resolve("open_clip_config.json")).replace("\"quick_gelu\": true,", ""));
        assertThrows(AssertionFailedError.class, () -> check(d, "bioclip"));
    }
}
