package saelab.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import saelab.model.ConfigFile;

/**
 * The shape and constants of a decoder language model, read from a Hugging Face config: a
 * {@code LlamaConfig} or {@code Qwen2Config} (transformers 4.45.2, {@code configuration_llama.py} /
 * {@code configuration_qwen2.py}), either a whole {@code config.json} or the {@code text_config}
 * section of a LLaVA config. {@code save_pretrained} leaves out fields at the library default, and
 * hub LLaVA configs carry only the non-default nested fields, so every absent field takes the default
 * of that {@code model_type}'s config class:
 *
 * <table>
 *   <caption>defaults of transformers 4.45.2</caption>
 *   <tr><th>field</th><th>llama</th><th>qwen2</th></tr>
 *   <tr><td>vocab_size</td><td>32000</td><td>151936</td></tr>
 *   <tr><td>hidden_size</td><td>4096</td><td>4096</td></tr>
 *   <tr><td>intermediate_size</td><td>11008</td><td>22016</td></tr>
 *   <tr><td>num_hidden_layers, num_attention_heads</td><td>32, 32</td><td>32, 32</td></tr>
 *   <tr><td>num_key_value_heads</td><td>num_attention_heads</td><td>32</td></tr>
 *   <tr><td>head_dim</td><td>hidden_size / num_attention_heads</td><td>(no field) the same</td></tr>
 *   <tr><td>max_position_embeddings</td><td>2048</td><td>32768</td></tr>
 *   <tr><td>rms_norm_eps</td><td>1e-6</td><td>1e-6</td></tr>
 *   <tr><td>rope_theta</td><td>10000</td><td>10000</td></tr>
 *   <tr><td>tie_word_embeddings</td><td>false</td><td>false</td></tr>
 *   <tr><td>q/k/v biases</td><td>attention_bias (false)</td><td>always</td></tr>
 *   <tr><td>o_proj bias</td><td>attention_bias (false)</td><td>never</td></tr>
 *   <tr><td>MLP biases</td><td>mlp_bias (false)</td><td>never</td></tr>
 * </table>
 *
 * <p>Supported: {@code hidden_act} "silu" (SwiGLU), {@code rope_scaling} null or of type "default", and
 * for Qwen2 no sliding-window attention; anything else is refused with one sentence naming the field.
 *
 * @param family            the decoder layout
 * @param vocabSize         rows of the token embedding and of the output head
 * @param hiddenSize        residual width D
 * @param intermediateSize  SwiGLU hidden width
 * @param layers            decoder layers
 * @param heads             query heads
 * @param kvHeads           key/value heads (grouped-query attention: query head h reads KV head h / (heads / kvHeads))
 * @param headDim           width of one head
 * @param rmsNormEps        added to the mean square in every RMSNorm
 * @param ropeTheta         RoPE base
 * @param maxPositions      {@code max_position_embeddings}: the longest sequence the model accepts
 * @param tieWordEmbeddings whether the output head is the token embedding
 * @param qkvBias           whether q/k/v projections have biases
 * @param outputBias        whether o_proj has a bias
 * @param mlpBias           whether the MLP projections have biases
 * @param source            where the config came from, for error messages (file and section)
 */
public record LmConfig(Family family, int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                       int headDim, float rmsNormEps, double ropeTheta, int maxPositions, boolean tieWordEmbeddings, boolean qkvBias,
                       boolean outputBias, boolean mlpBias, String source) {

    /** The decoder layouts saelab runs, by Hugging Face {@code model_type}. */
    public enum Family {
        /** {@code LlamaForCausalLM} (transformers {@code modeling_llama}). */
        LLAMA("llama"),
        /** {@code Qwen2ForCausalLM} (transformers {@code modeling_qwen2}). */
        QWEN2("qwen2");

        private final String modelType;

        Family(String modelType) {
            this.modelType = modelType;
        }

        /** The Hugging Face {@code model_type}. */
        public String modelType() {
            return modelType;
        }
    }

    /** Checks the sizes are positive and consistent. */
    public LmConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0
                || maxPositions <= 0) {
            throw new IllegalArgumentException(source + ": sizes must be positive (vocab_size " + vocabSize + ", hidden_size " + hiddenSize
                    + ", intermediate_size " + intermediateSize + ", num_hidden_layers " + layers + ", num_attention_heads " + heads
                    + ", num_key_value_heads " + kvHeads + ", head_dim " + headDim + ", max_position_embeddings " + maxPositions + ")");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(source + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads "
                    + kvHeads + "; expected whole groups of query heads per key/value head");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(source + ": head_dim " + headDim + " is odd; rotary embeddings need an even head width");
        }
        if (!(rmsNormEps >= 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException(source + ": rms_norm_eps " + rmsNormEps + " and rope_theta " + ropeTheta
                    + " must be a non-negative and a positive number");
        }
    }

    /** Query heads per key/value head. */
    public int groups() {
        return heads / kvHeads;
    }

    /**
     * Reads a whole {@code config.json} of a {@code LlamaForCausalLM} or {@code Qwen2ForCausalLM}.
     *
     * @throws IllegalArgumentException for an unknown {@code model_type} or an unsupported field, naming the file and the field
     */
    public static LmConfig read(Path configJson) throws IOException {
        ConfigFile c = ConfigFile.read(configJson);
        if (!c.has("model_type")) {
            throw c.invalid("model_type", "\"llama\" or \"qwen2\"");
        }
        return of(c, null);
    }

    /**
     * Reads a config section ({@code config.json} itself, or its {@code text_config}).
     *
     * @param c                the section
     * @param defaultModelType the {@code model_type} an absent field means (LLaVA's {@code text_config} defaults to "llama"), or
     *                         null when the field is required
     * @throws IllegalArgumentException for an unknown {@code model_type} or an unsupported field, naming the file and the field
     */
    public static LmConfig of(ConfigFile c, String defaultModelType) {
        String type = c.text("model_type", defaultModelType);
        Family family = switch (type == null ? "" : type.toLowerCase(Locale.ROOT)) {
            case "llama" -> Family.LLAMA;
            case "qwen2" -> Family.QWEN2;
            default -> throw new IllegalArgumentException(c.file() + ": field '" + c.fieldPath("model_type") + "' is '" + type
                    + "'; expected \"llama\" or \"qwen2\" (the decoder language models saelab runs)");
        };
        boolean llama = family == Family.LLAMA;
        String act = c.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw c.invalid("hidden_act", "\"silu\" (the SwiGLU MLP of Llama and Qwen2)");
        }
        if (c.has("rope_scaling")) {
            ConfigFile scaling = c.section("rope_scaling");
            String ropeType = scaling.text("rope_type", scaling.text("type", "default"));
            if (!ropeType.equals("default")) {
                throw c.invalid("rope_scaling", "null or rope_type \"default\" (saelab has no scaled RoPE variants)");
            }
        }
        if (!llama && c.bool("use_sliding_window", false)) {
            throw c.invalid("use_sliding_window", "false (saelab has no sliding-window attention)");
        }
        int hidden = c.integer("hidden_size", 4096);
        int heads = c.integer("num_attention_heads", 32);
        int kvDefault = llama ? heads : 32;
        int headDim = llama ? c.integer("head_dim", heads > 0 ? hidden / heads : 0) : heads > 0 ? hidden / heads : 0;
        boolean attentionBias = llama && c.bool("attention_bias", false);
        return new LmConfig(family,
                c.integer("vocab_size", llama ? 32000 : 151936),
                hidden,
                c.integer("intermediate_size", llama ? 11008 : 22016),
                c.integer("num_hidden_layers", 32),
                heads,
                c.integer("num_key_value_heads", kvDefault),
                headDim,
                (float) c.number("rms_norm_eps", 1e-6),
                c.number("rope_theta", 10000.0),
                c.integer("max_position_embeddings", llama ? 2048 : 32768),
                c.bool("tie_word_embeddings", false),
                llama ? attentionBias : true,
                attentionBias,
                llama && c.bool("mlp_bias", false),
                c.file() + (c.fieldPath("").isEmpty() ? "" : " (" + c.fieldPath("").replaceAll("\\.$", "") + ")"));
    }
}
