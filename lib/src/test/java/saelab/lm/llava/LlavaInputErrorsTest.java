package saelab.lm.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;
import saelab.lm.DecoderLm;
import saelab.model.Golden;

/**
 * Bad LLaVA inputs get one sentence naming what is wrong: prompts with more or fewer image tokens than features
 * (both counts named), configs with an unknown vision or text {@code model_type}, a hidden-state index outside the
 * tower, a folder that is not LLaVA, missing tensors (file and tensor named), pixels of the wrong size; and a tower
 * stored without the head LLaVA never reads still loads and matches.
 */
class LlavaInputErrorsTest {

    @TempDir
    Path dir;

    /** A copy of a fixture's model folder with {@code config.json} edited and the tensors {@code drop} accepts left out. */
    private Path copy(String fixture, Consumer<ObjectNode> editConfig, Predicate<String> drop) throws IOException {
        Path src = Golden.dir(fixture);
        Path dst = Files.createDirectories(dir.resolve(fixture + "-" + System.nanoTime()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        editConfig.accept(config);
        json.writeValue(dst.resolve("config.json").toFile(), config);
        Files.copy(src.resolve("generation_config.json"), dst.resolve("generation_config.json"));
        Map<String, Safetensors.Tensor> kept = new LinkedHashMap<>(Safetensors.read(src.resolve("model.safetensors")).tensors());
        kept.keySet().removeIf(drop);
        Safetensors.write(dst.resolve("model.safetensors"), kept, Map.of("format", "pt"));
        return dst;
    }

    private static String loadError(Path folder) {
        return assertThrows(IllegalArgumentException.class, () -> LlavaModel.load(folder).close()).getMessage();
    }

    @Test
    void moreOrFewerImageTokensThanFeaturesNameBothCounts() throws IOException {
        try (LlavaFixture f = new LlavaFixture("llava_llama"); NDManager m = f.nd.newSubManager()) {
            NDArray pixels = f.in("pixel_values");
            long[] ids = f.in("input_ids").toLongArray();
            long[] fewer = ids.clone();
            long[] more = ids.clone();
            int firstImage = java.util.stream.IntStream.range(0, ids.length).filter(i -> ids[i] == 300).findFirst().orElseThrow();
            fewer[firstImage] = 5;
            more[firstImage - 1] = 300;
            Shape s = f.in("input_ids").getShape();
            String less = assertThrows(IllegalArgumentException.class,
                    () -> f.model.forward(pixels, m.create(fewer, s), null, DecoderLm.Keep.LOGITS)).getMessage();
            assertTrue(less.contains("31 image tokens (id 300)") && less.contains("32 features (16 each)"), less);
            String extra = assertThrows(IllegalArgumentException.class,
                    () -> f.model.generate(pixels, m.create(more, s), null, f.model.greedy(2))).getMessage();
            assertTrue(extra.contains("33 image tokens") && extra.contains("32 features"), extra);
            String oneImage = assertThrows(IllegalArgumentException.class, () -> f.model.forwardFromFeatures(
                    f.model.selectedFeatures(pixels).get("0:1"), f.in("input_ids"), null, DecoderLm.Keep.LOGITS)).getMessage();
            assertTrue(oneImage.contains("32 image tokens") && oneImage.contains("1 image(s) give 16 features"), oneImage);
        }
    }

    @Test
    void unknownVisionOrTextModelTypeIsOneSentence() throws IOException {
        String vision = loadError(copy("llava_llama", c -> ((ObjectNode) c.get("vision_config")).put("model_type", "dinov2"), n -> false));
        assertTrue(vision.contains("'vision_config.model_type' is \"dinov2\"") && vision.contains("siglip_vision_model"), vision);
        String text = loadError(copy("llava_qwen2", c -> ((ObjectNode) c.get("text_config")).put("model_type", "mistral"), n -> false));
        assertTrue(text.contains("'text_config.model_type' is 'mistral'") && text.contains("\"qwen2\""), text);
        String notLlava = loadError(copy("llava_qwen2", c -> c.put("model_type", "clip"), n -> false));
        assertTrue(notLlava.contains("'model_type' is \"clip\"") && notLlava.contains("\"llava\""), notLlava);
        String noVision = loadError(copy("llava_qwen2", c -> c.remove("vision_config"), n -> false));
        assertTrue(noVision.contains("'vision_config' is missing"), noVision);
        String strategy = loadError(copy("llava_qwen2", c -> c.put("vision_feature_select_strategy", "cls"), n -> false));
        assertTrue(strategy.contains("'vision_feature_select_strategy' is \"cls\""), strategy);
    }

    @Test
    void hiddenStateOutsideTheTowerIsOneSentence() throws IOException {
        String msg = loadError(copy("llava_llama", c -> c.put("vision_feature_layer", -5), n -> false));
        assertTrue(msg.contains("'vision_feature_layer' is -5") && msg.contains("4 hidden states of the 3-block vision tower (-4 to 3)"),
                msg);
    }

    @Test
    void missingTensorsNameTheFileAndTheTensor() throws IOException {
        for (String missing : new String[] {"multi_modal_projector.linear_2.bias", "vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight",
                "language_model.model.layers.1.self_attn.q_proj.bias"}) {
            String msg = loadError(copy("llava_qwen2", c -> {}, missing::equals));
            assertTrue(msg.contains("model.safetensors") && msg.contains("'" + missing + "' is missing"), msg);
        }
        String head = loadError(copy("llava_llama", c -> {}, "language_model.lm_head.weight"::equals));
        assertTrue(head.contains("'language_model.lm_head.weight' is missing") && head.contains("tie_word_embeddings false"), head);
    }

    @Test
    void aTowerStoredWithoutItsUnusedHeadStillMatches() throws IOException {
        Path folder = copy("llava_qwen2", c -> ((ObjectNode) c.get("vision_config")).put("vision_use_head", false),
                n -> n.startsWith("vision_tower.vision_model.head.") || n.startsWith("vision_tower.vision_model.post_layernorm."));
        try (LlavaModel model = LlavaModel.load(folder); LlavaFixture f = new LlavaFixture("llava_qwen2")) {
            assertEquals(null, model.visionTower().head());
            LlavaFixture.close("vision.selected", f.out("vision.selected"), model.selectedFeatures(f.in("pixel_values")));
            String msg = assertThrows(IllegalStateException.class, () -> model.visionTower().forward(f.in("pixel_values"))).getMessage();
            assertTrue(msg.contains("without its head") && msg.contains("forwardBlocks"), msg);
        }
    }

    @Test
    void pixelsOfAnotherSizeAreOneSentence() throws IOException {
        try (LlavaFixture f = new LlavaFixture("llava_qwen2"); NDManager m = f.nd.newSubManager()) {
            String msg = assertThrows(IllegalArgumentException.class, () -> f.model.selectedFeatures(m.zeros(new Shape(2, 3, 48, 48))))
                    .getMessage();
            assertTrue(msg.contains("(2, 3, 48, 48)") && msg.contains("[images, 3, 32, 32]") && msg.contains("image_size"), msg);
        }
    }
}
