package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.model.ActivationFn;

/**
 * The toy CLIP: Hugging Face {@code CLIPModel} (Radford et al. 2021; tensor names of
 * {@code lib/MODELS.md} §5) at toy size. Vision: patch conv without bias, class embedding,
 * positions, {@code pre_layrnorm}, pre-LN blocks with quick GELU, pooled = {@code post_layernorm(CLS)},
 * {@code visual_projection}. Text: token and position embeddings, causal blocks, {@code final_layer_norm},
 * pooled at the first end-of-text id ({@code eos_token_id} in {@code text_config}, so transformers and saelab
 * take the non-legacy pooling path), {@code text_projection}. {@code logit_scale} starts at ln(1/0.07) as in
 * CLIP and is clamped to at most ln(100) after every update.
 */
final class ToyClipModel implements ToyModel {

    /** LayerNorm epsilon of Hugging Face CLIP. */
    static final double LAYER_NORM_EPS = 1e-5;
    /** {@link #LAYER_NORM_EPS} as the float the forward uses (saelab's loader reads the config value the same way). */
    private static final float EPS = (float) LAYER_NORM_EPS;
    /** CLIP's initial temperature 0.07, as a log scale. */
    static final double LOGIT_SCALE_INIT = Math.log(1 / 0.07);
    /** CLIP's clamp of the log scale: exp at most 100. */
    static final double LOGIT_SCALE_MAX = Math.log(100);
    /** OpenAI CLIP's normalisation constants ({@code lib/MODELS.md} §2.1). */
    static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    private static final String V = "vision_model.";
    private static final String T = "text_model.";

    private final ToyArchitecture arch;
    private final ToyParameters params;
    private final int bosId;
    private final int eosId;

    /**
     * Defines and initialises the parameters.
     *
     * @param bosId the tokenizer's start-of-text id
     * @param eosId the tokenizer's end-of-text id (also the pad id)
     */
    ToyClipModel(ToyArchitecture arch, NDManager manager, long seed, int bosId, int eosId) {
        this.arch = arch;
        this.bosId = bosId;
        this.eosId = eosId;
        this.params = new ToyParameters(manager, seed, ToyParameters.initStd(arch.width()));
        long d = arch.width();
        int p = arch.patch();
        params.embedding(T + "embeddings.token_embedding.weight", arch.vocabSize(), d);
        params.embedding(T + "embeddings.position_embedding.weight", arch.contextLength(), d);
        for (int i = 0; i < arch.layers(); i++) {
            ToyBlock.CLIP.define(params, T + "encoder.layers." + i + ".", d, arch.mlpHidden(), 0);
        }
        params.norm(T + "final_layer_norm", d);
        params.embedding(V + "embeddings.class_embedding", d);
        params.weight(V + "embeddings.patch_embedding.weight", d, 3, p, p);
        params.embedding(V + "embeddings.position_embedding.weight", arch.patches() + 1, d);
        params.norm(V + "pre_layrnorm", d);
        for (int i = 0; i < arch.layers(); i++) {
            ToyBlock.CLIP.define(params, V + "encoder.layers." + i + ".", d, arch.mlpHidden(), 0);
        }
        params.norm(V + "post_layernorm", d);
        params.weight("visual_projection.weight", arch.projectionDim(), d);
        params.weight("text_projection.weight", arch.projectionDim(), d);
        params.add("logit_scale", new long[0], ToyParameters.Init.CONSTANT, LOGIT_SCALE_INIT, WeightDecay.EXEMPT);
    }

    @Override
    public ToyBackboneKind kind() {
        return ToyBackboneKind.CLIP;
    }

    @Override
    public ToyArchitecture architecture() {
        return arch;
    }

    @Override
    public ToyParameters parameters() {
        return params;
    }

    /** The end-of-text id: pooled position and padding. */
    int eosId() {
        return eosId;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", arch.vocabSize());
        text.put("hidden_size", arch.width());
        text.put("intermediate_size", arch.mlpHidden());
        text.put("num_hidden_layers", arch.layers());
        text.put("num_attention_heads", arch.heads());
        text.put("max_position_embeddings", arch.contextLength());
        text.put("hidden_act", "quick_gelu");
        text.put("layer_norm_eps", LAYER_NORM_EPS);
        text.put("projection_dim", arch.projectionDim());
        text.put("bos_token_id", bosId);
        text.put("eos_token_id", eosId);
        text.put("pad_token_id", eosId);
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("model_type", "clip_vision_model");
        vision.put("hidden_size", arch.width());
        vision.put("intermediate_size", arch.mlpHidden());
        vision.put("num_hidden_layers", arch.layers());
        vision.put("num_attention_heads", arch.heads());
        vision.put("num_channels", 3);
        vision.put("image_size", arch.imageSize());
        vision.put("patch_size", arch.patch());
        vision.put("hidden_act", "quick_gelu");
        vision.put("layer_norm_eps", LAYER_NORM_EPS);
        vision.put("projection_dim", arch.projectionDim());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("CLIPModel"));
        m.put("model_type", "clip");
        m.put("projection_dim", arch.projectionDim());
        m.put("logit_scale_init_value", LOGIT_SCALE_INIT);
        m.put("initializer_factor", 1.0);
        m.put("torch_dtype", "float32");
        m.put("text_config", text);
        m.put("vision_config", vision);
        return m;
    }

    @Override
    public Map<String, Object> preprocessorConfig() {
        return ToyPreprocessing.config("CLIPImageProcessor", arch.imageSize(), MEAN, STD);
    }

    @Override
    public ToyVisionActivations vision(NDArray pixels, NDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException("CLIP has no mask token; pass a null mask");
        }
        long b = pixels.getShape().get(0);
        long d = arch.width();
        long tokens = arch.patches() + 1;
        NDArray patchW = params.get(V + "embeddings.patch_embedding.weight").reshape(d, 3L * arch.patch() * arch.patch());
        NDArray patches = ToyOps.linear(ToyOps.patchify(pixels, arch.patch()), patchW, null);
        NDArray cls = params.get(V + "embeddings.class_embedding").reshape(1, 1, d).broadcast(b, 1, d);
        NDArray x = NDArrays.concat(new NDList(cls, patches), 1)
                .add(params.get(V + "embeddings.position_embedding.weight").reshape(1, tokens, d));
        x = ToyOps.layerNorm(x, params.get(V + "pre_layrnorm.weight"), params.get(V + "pre_layrnorm.bias"), EPS);
        NDArray embeddings = x;
        List<NDArray> blocks = new ArrayList<>();
        for (int i = 0; i < arch.layers(); i++) {
            x = ToyBlock.CLIP.forward(params, V + "encoder.layers." + i + ".", x, null, arch.heads(), ActivationFn.QUICK_GELU, EPS);
            blocks.add(x);
        }
        NDArray pooled = ToyOps.layerNorm(x.get(new NDIndex(":, 0, :")), params.get(V + "post_layernorm.weight"),
                params.get(V + "post_layernorm.bias"), EPS);
        NDArray embeds = ToyOps.linear(pooled, params.get("visual_projection.weight"), null);
        return new ToyVisionActivations(embeddings, List.copyOf(blocks), x, pooled, embeds);
    }

    /**
     * The text forward.
     *
     * @param manager where the inputs are created
     * @param ids     {@code [B][T]} token ids, rows of one length T (at most the context length), each with an
     *                end-of-text id (the pooled position; a row without one pools position 0, as transformers does)
     */
    ToyTextActivations text(NDManager manager, long[][] ids) {
        int b = ids.length;
        int t = ids[0].length;
        long d = arch.width();
        int vocab = arch.vocabSize();
        if (t > arch.contextLength()) {
            throw new IllegalArgumentException(t + " tokens per row; the context length is " + arch.contextLength());
        }
        // one-hot rows times the table: exactly the embedding lookup, with a dense, deterministic gradient
        float[] onehot = new float[b * t * vocab];
        float[] select = new float[b * b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("token row " + i + " has " + ids[i].length + " ids, row 0 has " + t);
            }
            int pooledAt = 0;
            boolean found = false;
            for (int j = 0; j < t; j++) {
                long id = ids[i][j];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " at [" + i + "][" + j + "] is outside the vocabulary [0, " + vocab + ")");
                }
                onehot[(i * t + j) * vocab + (int) id] = 1f;
                if (!found && id == eosId) {
                    pooledAt = j;
                    found = true;
                }
            }
            select[i * b * t + i * t + pooledAt] = 1f;
        }
        NDArray tok = manager.create(onehot, new Shape((long) b * t, vocab))
                .matMul(params.get(T + "embeddings.token_embedding.weight")).reshape(b, t, d);
        NDArray x = tok.add(params.get(T + "embeddings.position_embedding.weight").get(new NDIndex(":{}, :", t)));
        NDArray mask = causalMask(manager, t);
        for (int i = 0; i < arch.layers(); i++) {
            x = ToyBlock.CLIP.forward(params, T + "encoder.layers." + i + ".", x, mask, arch.heads(), ActivationFn.QUICK_GELU, EPS);
        }
        NDArray last = ToyOps.layerNorm(x, params.get(T + "final_layer_norm.weight"), params.get(T + "final_layer_norm.bias"), EPS);
        NDArray pooled = manager.create(select, new Shape(b, (long) b * t)).matMul(last.reshape((long) b * t, d));
        NDArray embeds = ToyOps.linear(pooled, params.get("text_projection.weight"), null);
        return new ToyTextActivations(last, pooled, embeds);
    }

    /** The learnable log temperature, a scalar. */
    NDArray logitScale() {
        return params.get("logit_scale");
    }

    /** Clamps {@code logit_scale} to [0, ln 100] in place, as CLIP's training loop does after each step. */
    void clampLogitScale() {
        NDArray s = params.get("logit_scale");
        float v = s.toFloatArray()[0];
        float c = (float) Math.min(LOGIT_SCALE_MAX, Math.max(0, v));
        if (c != v) {
            s.set(new float[] {c});
        }
    }

    /** {@code [T, T]}: 0 on and below the diagonal, -inf above (position p attends to 0..p). */
    static NDArray causalMask(NDManager manager, int t) {
        float[] m = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                m[i * t + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(m, new Shape(t, t));
    }
}
