package saelab.toy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The full shape of a toy VLM: the spec's free sizes, the frozen vision tower's, the tokenizer's, and the
 * constants this generator fixes.
 *
 * @param visionWidth  the vision tower's width (the projector's input)
 * @param imageTokens  image features per image: the tower's patches (the class token is dropped)
 * @param vocabSize    the tokenizer's ids (rows of the embedding and of the output head)
 * @param width        decoder width D
 * @param layers       decoder layers
 * @param heads        query heads
 * @param kvHeads      key/value heads
 * @param intermediate SwiGLU hidden width ({@link #MLP_RATIO} D)
 */
record ToyVlmArchitecture(int visionWidth, int imageTokens, int vocabSize, int width, int layers, int heads, int kvHeads, int intermediate) {

    /** SwiGLU hidden width over decoder width (as the LLaVA golden fixture's decoder, 128 at width 64). */
    static final int MLP_RATIO = 2;
    /** {@code max_position_embeddings}: room for a prompt of 64 image tokens, the question and the longest caption. */
    static final int MAX_POSITIONS = 256;
    /** RMSNorm epsilon (Llama 2's 1e-5). */
    static final double RMS_NORM_EPS = 1e-5;
    /** RoPE base (Llama's). */
    static final double ROPE_THETA = 10000;
    /** The hidden state the projector reads: -2, the second to last (llava-1.5's choice, and the block the demo's patch SAE reads). */
    static final int VISION_FEATURE_LAYER = -2;

    /** The architecture of {@code spec} over a vision tower and a tokenizer. */
    static ToyVlmArchitecture of(ToyVlmSpec spec, int visionWidth, int imageTokens, int vocabSize) {
        return new ToyVlmArchitecture(visionWidth, imageTokens, vocabSize, spec.width(), spec.layers(), spec.heads(), spec.kvHeads(),
                MLP_RATIO * spec.width());
    }

    /** Width of one attention head. */
    int headDim() {
        return width / heads;
    }

    /** The architecture as JSON (for the report). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vision_width", visionWidth);
        m.put("image_tokens", imageTokens);
        m.put("vision_feature_layer", VISION_FEATURE_LAYER);
        m.put("vision_feature_select_strategy", "default");
        m.put("projector", "linear_1 (" + visionWidth + " -> " + width + ") -> gelu (erf) -> linear_2 (" + width + " -> " + width + ")");
        m.put("vocab_size", vocabSize);
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("kv_heads", kvHeads);
        m.put("head_dim", headDim());
        m.put("intermediate_size", intermediate);
        m.put("rms_norm_eps", RMS_NORM_EPS);
        m.put("rope_theta", ROPE_THETA);
        m.put("max_position_embeddings", MAX_POSITIONS);
        return m;
    }
}
