package saelab.lm.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.lm.LmConfig;
import saelab.model.ActivationFn;
import saelab.model.Golden;
import saelab.model.ModelFamily;

/**
 * {@link LlavaConfig}: the fixtures' fields, the LlavaConfig defaults of transformers 4.45.2 for absent top-level
 * fields, and stop / pad tokens from {@code generation_config.json} (a number or a list) with the fallbacks.
 */
class LlavaConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsBothFixtures() throws IOException {
        LlavaConfig llama = LlavaConfig.read(Golden.dir("llava_llama"));
        assertEquals(ModelFamily.CLIP, llama.visionFamily());
        assertEquals(LmConfig.Family.LLAMA, llama.text().family());
        assertEquals(300, llama.imageTokenIndex());
        assertEquals(-2, llama.visionFeatureLayer());
        assertEquals(LlavaConfig.SelectStrategy.DEFAULT, llama.strategy());
        assertEquals(16, llama.imageSeqLength());
        assertEquals(List.of(2), llama.stopTokenIds());
        assertEquals(301, llama.padTokenId());
        LlavaConfig qwen = LlavaConfig.read(Golden.dir("llava_qwen2"));
        assertEquals(ModelFamily.SIGLIP, qwen.visionFamily());
        assertEquals(LmConfig.Family.QWEN2, qwen.text().family());
        assertEquals(LlavaConfig.SelectStrategy.FULL, qwen.strategy());
        assertEquals(-1, qwen.visionFeatureLayer());
        assertEquals(List.of(302), qwen.stopTokenIds());
        assertEquals(302, qwen.padTokenId(), "no pad id: the first stop id, as generate");
    }

    @Test
    void absentFieldsTakeTheLlavaConfigDefaults() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llava\", \"vision_config\": {\"hidden_size\": 64}}");
        String outside = assertThrows(IllegalArgumentException.class, () -> LlavaConfig.read(dir)).getMessage();
        assertTrue(outside.contains("'image_token_index' is missing") && outside.contains("[0, 32000)"), outside);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llava\", \"vision_config\": {\"hidden_size\": 64},"
                + " \"text_config\": {\"vocab_size\": 32064}}");
        LlavaConfig c = LlavaConfig.read(dir);
        assertEquals(ModelFamily.CLIP, c.visionFamily(), "vision_config.model_type defaults to clip_vision_model");
        assertEquals(LmConfig.Family.LLAMA, c.text().family(), "text_config defaults to llama");
        assertEquals(32000, c.imageTokenIndex());
        assertEquals(-2, c.visionFeatureLayer());
        assertEquals(LlavaConfig.SelectStrategy.DEFAULT, c.strategy());
        assertEquals(ActivationFn.GELU, c.projectorActivation());
        assertEquals(576, c.imageSeqLength());
        assertEquals(List.of(), c.stopTokenIds());
        assertEquals(0, c.padTokenId());
    }

    @Test
    void generationConfigMayListSeveralStopIds() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llava\", \"vision_config\": {}, \"pad_token_id\": 7,"
                + " \"image_token_index\": 5, \"text_config\": {\"eos_token_id\": 9}}");
        assertEquals(List.of(9), LlavaConfig.read(dir).stopTokenIds(), "without generation_config.json: text_config.eos_token_id");
        assertEquals(7, LlavaConfig.read(dir).padTokenId());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [2, 32007]}");
        assertEquals(List.of(2, 32007), LlavaConfig.read(dir).stopTokenIds());
        assertEquals(7, LlavaConfig.read(dir).padTokenId(), "no pad id in generation_config.json: the top-level one");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"</s>\"}");
        String msg = assertThrows(IllegalArgumentException.class, () -> LlavaConfig.read(dir)).getMessage();
        assertTrue(msg.contains("generation_config.json") && msg.contains("'eos_token_id'"), msg);
    }

    @Test
    void aFolderWithoutConfigIsOneSentence() {
        String msg = assertThrows(IllegalArgumentException.class, () -> LlavaConfig.read(dir)).getMessage();
        assertTrue(msg.contains("no config.json") && msg.contains("LLaVA"), msg);
    }
}
