package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;
import saelab.model.Golden;

/**
 * A plain causal-LM folder ({@code config.json} of a {@code Qwen2ForCausalLM}, tensors {@code model.*}),
 * made from the llava_qwen2 fixture's {@code text_config} and {@code language_model.*} tensors, loads with
 * {@link DecoderLm#load} and gives the fixture's logits; a folder without weights is one sentence.
 */
class DecoderLmFolderTest {

    @Test
    void aCausalLmFolderLoadsAndMatches(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path fixture = Golden.dir("llava_qwen2");
        json.writeValue(dir.resolve("config.json").toFile(), json.readTree(fixture.resolve("config.json").toFile()).get("text_config"));
        Map<String, Safetensors.Tensor> lm = new LinkedHashMap<>();
        Safetensors.read(fixture.resolve("model.safetensors")).tensors().forEach((k, v) -> {
            if (k.startsWith("language_model.")) {
                lm.put(k.substring("language_model.".length()), v);
            }
        });
        Safetensors.write(dir.resolve("model.safetensors"), lm, Map.of("format", "pt"));
        try (LlavaTextFixture f = new LlavaTextFixture("llava_qwen2"); DecoderLm m = DecoderLm.load(dir);
             LmOutput out = m.forward(f.out("text.inputs_embeds"), f.in("attention_mask"))) {
            LlavaTextFixture.close("logits", f.out("logits"), out.logits());
        }
    }

    @Test
    void aFolderWithoutWeightsIsOneSentence(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        assertEquals(dir + ": no model.safetensors or model.safetensors.index.json beside config.json",
                assertThrows(IllegalArgumentException.class, () -> DecoderLm.load(dir)).getMessage());
    }
}
