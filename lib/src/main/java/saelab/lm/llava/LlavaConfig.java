package saelab.lm.llava;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.io.Json;
import saelab.lm.LmConfig;
import saelab.model.ActivationFn;
import saelab.model.ConfigFile;
import saelab.model.ModelFamily;

/**
 * The configuration of a LLaVA folder ({@code LlavaConfig} of transformers 4.45.2, {@code configuration_llava.py}):
 * the vision tower's config, the language model's config and how the two are joined. {@code save_pretrained}
 * leaves out top-level fields at the library default, so an absent field takes that default:
 *
 * <table>
 *   <caption>LlavaConfig defaults of transformers 4.45.2</caption>
 *   <tr><th>field</th><th>default</th></tr>
 *   <tr><td>image_token_index</td><td>32000</td></tr>
 *   <tr><td>vision_feature_layer</td><td>-2 (an index into the tower's hidden states)</td></tr>
 *   <tr><td>vision_feature_select_strategy</td><td>"default" (drop the first token) or "full"</td></tr>
 *   <tr><td>projector_hidden_act</td><td>"gelu" (exact, erf form)</td></tr>
 *   <tr><td>image_seq_length</td><td>576</td></tr>
 *   <tr><td>vision_config.model_type</td><td>"clip_vision_model" ("siglip_vision_model" also runs)</td></tr>
 *   <tr><td>text_config.model_type</td><td>"llama" ("qwen2" also runs); absent fields at that type's defaults ({@link LmConfig})</td></tr>
 * </table>
 *
 * <p>The reference builds a default CLIP-L/14 336 px tower when {@code vision_config} is absent; every LLaVA
 * checkpoint carries one, so its absence is refused here rather than guessed. The stop and pad tokens of
 * generation come from {@code generation_config.json} when the folder has one ({@code eos_token_id}, a number or
 * a list; {@code pad_token_id}), else from {@code text_config.eos_token_id} and the top-level {@code pad_token_id};
 * a missing pad id falls back to the first stop id, as transformers' {@code generate} does.
 *
 * @param visionFamily        {@link ModelFamily#CLIP} or {@link ModelFamily#SIGLIP}
 * @param visionConfig        the {@code vision_config} section (absent fields at that family's defaults)
 * @param text                the language model's config, from {@code text_config}
 * @param imageTokenIndex     the id of the image token in the prompt
 * @param visionFeatureLayer  index into the tower's hidden states (0 = the embeddings, i = output of block i - 1;
 *                            negative counts from the end, -1 = the last block)
 * @param strategy            which tokens of that hidden state the projector gets
 * @param projectorActivation the projector's non-linearity
 * @param imageSeqLength      image tokens per image in an expanded prompt
 * @param stopTokenIds        ids that end a generated row
 * @param padTokenId          the id written after a row has stopped
 * @param file                the {@code config.json} read, for error messages
 */
public record LlavaConfig(ModelFamily visionFamily, ConfigFile visionConfig, LmConfig text, long imageTokenIndex, int visionFeatureLayer,
                          SelectStrategy strategy, ActivationFn projectorActivation, int imageSeqLength, List<Integer> stopTokenIds,
                          int padTokenId, Path file) {

    /** Which tokens of the selected hidden state become image features ({@code vision_feature_select_strategy}). */
    public enum SelectStrategy {
        /** "default": every token but the first (CLIP's class token; for SigLIP, which has none, the first patch). */
        DEFAULT,
        /** "full": every token. */
        FULL
    }

    /** Copies the stop ids. */
    public LlavaConfig {
        stopTokenIds = List.copyOf(stopTokenIds);
    }

    /**
     * Reads {@code folder/config.json} (and {@code generation_config.json} when present).
     *
     * @throws IllegalArgumentException when {@code model_type} is not "llava", a section has an unknown {@code model_type},
     *                                  or a field has the wrong type or an unsupported value, naming the file and the field
     * @throws IOException              when a file cannot be read
     */
    public static LlavaConfig read(Path folder) throws IOException {
        Path file = folder.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + ": no config.json; expected a Hugging Face LLaVA folder (config.json and"
                    + " model.safetensors)");
        }
        ConfigFile c = ConfigFile.read(file);
        if (!"llava".equals(c.text("model_type", null))) {
            throw c.invalid("model_type", "\"llava\" (a LlavaForConditionalGeneration folder)");
        }
        if (!c.has("vision_config")) {
            throw c.invalid("vision_config", "the vision tower's config (a clip_vision_model or siglip_vision_model section)");
        }
        ConfigFile vc = c.section("vision_config");
        String visionType = vc.text("model_type", "clip_vision_model");
        ModelFamily family = switch (visionType) {
            case "clip_vision_model" -> ModelFamily.CLIP;
            case "siglip_vision_model" -> ModelFamily.SIGLIP;
            default -> throw vc.invalid("model_type", "\"clip_vision_model\" or \"siglip_vision_model\" (the LLaVA vision towers saelab"
                    + " runs)");
        };
        LmConfig text = LmConfig.of(c.section("text_config"), "llama");
        String strategyName = c.text("vision_feature_select_strategy", "default");
        SelectStrategy strategy = switch (strategyName) {
            case "default" -> SelectStrategy.DEFAULT;
            case "full" -> SelectStrategy.FULL;
            default -> throw c.invalid("vision_feature_select_strategy", "\"default\" or \"full\"");
        };
        int layer = c.integer("vision_feature_layer", -2);
        ActivationFn act = ActivationFn.fromHf(c.text("projector_hidden_act", "gelu"), file + ": field 'projector_hidden_act'");
        int imageSeqLength = c.integer("image_seq_length", 576);
        if (imageSeqLength <= 0) {
            throw c.invalid("image_seq_length", "a positive number of image tokens per image");
        }
        long imageToken = c.integer("image_token_index", 32000);
        if (imageToken < 0 || imageToken >= text.vocabSize()) {
            throw c.invalid("image_token_index", "an id inside the vocabulary [0, " + text.vocabSize() + ") of text_config (the default"
                    + " is 32000)");
        }
        List<Integer> stops = new ArrayList<>();
        Integer pad = null;
        Path gen = folder.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            JsonNode g = json(gen);
            stops.addAll(ids(g.get("eos_token_id"), gen, "eos_token_id"));
            List<Integer> p = ids(g.get("pad_token_id"), gen, "pad_token_id");
            pad = p.isEmpty() ? null : p.getFirst();
        } else {
            ConfigFile tc = c.section("text_config");
            if (tc.has("eos_token_id")) {
                stops.add(tc.integer("eos_token_id", 0));
            }
        }
        if (pad == null && c.has("pad_token_id")) {
            pad = c.integer("pad_token_id", 0);
        }
        if (pad == null) {
            pad = stops.isEmpty() ? 0 : stops.getFirst();
        }
        return new LlavaConfig(family, vc, text, imageToken, layer, strategy, act, imageSeqLength, stops, pad, file);
    }

    private static JsonNode json(Path file) throws IOException {
        try {
            JsonNode n = new ObjectMapper().readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
    }

    /** A token id or a list of them (absent or null: none). */
    private static List<Integer> ids(JsonNode n, Path file, String field) {
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        for (JsonNode v : n.isArray() ? n : List.of(n)) {
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is " + n + "; expected a token id or a list of token ids");
            }
            out.add(v.asInt());
        }
        return out;
    }
}
