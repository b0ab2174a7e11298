package saelab.toy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Safetensors;

/**
 * The toy VLM as a Hugging Face {@code LlavaForConditionalGeneration} folder (transformers 4.45.2 layout, as the
 * llava-hf checkpoints):
 * <pre>
 * config.json               model_type "llava"; the tower's vision_config (clip_vision_model) and a llama text_config,
 *                           both with every field the models read; image_token_index, image_seq_length, pad_token_id,
 *                           vision_feature_layer -2, vision_feature_select_strategy "default", projector_hidden_act "gelu"
 * generation_config.json    bos, eos and pad ids
 * model.safetensors         vision_tower.vision_model.* (the backbone's vision tensors, unchanged), multi_modal_projector.linear_{1,2}.*,
 *                           language_model.model.*, language_model.lm_head.weight; metadata {"format": "pt"}
 * preprocessor_config.json  the backbone's (CLIPImageProcessor at the toy image size)
 * processor_config.json     LlavaProcessor: patch_size, vision_feature_select_strategy, image token
 * tokenizer.json, vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json   ({@link ToyVlmTokenizerFiles})
 * </pre>
 */
final class ToyVlmFiles {

    /** The backbone's tensors the tower needs, and the prefix they get in the LLaVA checkpoint. */
    static final String VISION = "vision_model.";
    static final String TOWER = "vision_tower.";

    private ToyVlmFiles() {}

    /** Writes every file but the weights into {@code dir}. */
    static void writeConfig(Path dir, ToyVlmArchitecture arch, ToyVlmTokenizerFiles.Ids ids, ToyVlmVision vision) throws IOException {
        Json.write(dir.resolve("config.json"), config(arch, ids, vision.visionConfig()));
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("_from_model_config", true);
        gen.put("bos_token_id", ids.bos());
        gen.put("eos_token_id", ids.eos());
        gen.put("pad_token_id", ids.pad());
        Json.write(dir.resolve("generation_config.json"), gen);
        AtomicFiles.writeBytes(dir.resolve("preprocessor_config.json"), Files.readAllBytes(vision.folder().resolve("preprocessor_config.json")));
        Map<String, Object> processor = new LinkedHashMap<>();
        processor.put("image_token", ToyVlmTokenizerFiles.IMAGE);
        processor.put("patch_size", vision.visionConfig().get("patch_size"));
        processor.put("processor_class", "LlavaProcessor");
        processor.put("vision_feature_select_strategy", "default");
        Json.write(dir.resolve("processor_config.json"), processor);
    }

    /** The contents of {@code config.json}. */
    static Map<String, Object> config(ToyVlmArchitecture arch, ToyVlmTokenizerFiles.Ids ids, Map<String, Object> visionConfig) {
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("model_type", "llama");
        text.put("vocab_size", arch.vocabSize());
        text.put("hidden_size", arch.width());
        text.put("intermediate_size", arch.intermediate());
        text.put("num_hidden_layers", arch.layers());
        text.put("num_attention_heads", arch.heads());
        text.put("num_key_value_heads", arch.kvHeads());
        text.put("head_dim", arch.headDim());
        text.put("hidden_act", "silu");
        text.put("max_position_embeddings", ToyVlmArchitecture.MAX_POSITIONS);
        text.put("rms_norm_eps", ToyVlmArchitecture.RMS_NORM_EPS);
        text.put("rope_theta", ToyVlmArchitecture.ROPE_THETA);
        text.put("rope_scaling", null);
        text.put("attention_bias", false);
        text.put("attention_dropout", 0.0);
        text.put("mlp_bias", false);
        text.put("pretraining_tp", 1);
        text.put("tie_word_embeddings", false);
        text.put("initializer_range", 0.02);
        text.put("use_cache", true);
        text.put("bos_token_id", ids.bos());
        text.put("eos_token_id", ids.eos());
        text.put("torch_dtype", "float32");
        Map<String, Object> vision = new LinkedHashMap<>(visionConfig);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlavaForConditionalGeneration"));
        m.put("model_type", "llava");
        m.put("ignore_index", -100);
        m.put("image_token_index", ids.image());
        m.put("image_seq_length", arch.imageTokens());
        m.put("pad_token_id", ids.pad());
        m.put("projector_hidden_act", "gelu");
        m.put("vision_feature_layer", ToyVlmArchitecture.VISION_FEATURE_LAYER);
        m.put("vision_feature_select_strategy", "default");
        m.put("tie_word_embeddings", false);
        m.put("torch_dtype", "float32");
        m.put("text_config", text);
        m.put("vision_config", vision);
        return m;
    }

    /**
     * Writes {@code model.safetensors}: the backbone's {@code vision_model.*} tensors under {@code vision_tower.}, then the
     * trained ones.
     */
    static void writeWeights(Path dir, Path backbone, ToyVlmModel model) throws IOException {
        Map<String, Safetensors.Tensor> all = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Tensor> e : Safetensors.read(backbone.resolve("model.safetensors")).tensors().entrySet()) {
            if (e.getKey().startsWith(VISION)) {
                all.put(TOWER + e.getKey(), e.getValue());
            }
        }
        all.putAll(model.parameters().toTensors());
        Safetensors.write(dir.resolve("model.safetensors"), all, Map.of("format", "pt"));
    }
}
