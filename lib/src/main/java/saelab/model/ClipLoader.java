package saelab.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Hugging Face CLIP (Radford et al. 2021; transformers {@code CLIPModel},
 * {@code CLIPVisionModel[WithProjection]}) from {@code config.json} (missing fields at the
 * {@code CLIPVisionConfig} / {@code CLIPTextConfig} defaults) and the tensor names of
 * {@code lib/MODELS.md} §5. Vision: patch conv without bias, class embedding, positions,
 * {@code pre_layrnorm}, blocks, pooled = {@code post_layernorm}(CLS), {@code visual_projection}.
 * Text: causal blocks, {@code final_layer_norm}, pooled at the end-of-text token (argmax of the ids
 * for the legacy {@code eos_token_id} 2, else the first {@code eos_token_id}), {@code text_projection}.
 */
final class ClipLoader {

    private ClipLoader() {}

    /**
     * The vision tower; {@code projectionDim} &lt; 0 means no {@code visual_projection}. Tensor names
     * start with {@code prefix + "vision_model."} ({@code prefix} is empty for a CLIP checkpoint,
     * {@code vision_tower.} inside a LLaVA checkpoint). With {@code headRequired} false the head
     * ({@code post_layernorm}) is left out when its tensors are absent.
     */
    static VisionTower vision(ConfigFile vc, WeightReader w, String prefix, long projectionDim, PosInterpolation interpolation,
                              boolean headRequired) {
        long d = vc.integer("hidden_size", 768);
        long inter = vc.integer("intermediate_size", 3072);
        int layers = vc.integer("num_hidden_layers", 12);
        int heads = vc.integer("num_attention_heads", 12);
        int patch = vc.integer("patch_size", 32);
        int channels = vc.integer("num_channels", 3);
        float eps = (float) vc.number("layer_norm_eps", 1e-5);
        ActivationFn act = ActivationFn.fromHf(vc.text("hidden_act", "quick_gelu"), vc.file() + ": field 'hidden_act'");
        String pre = prefix + "vision_model.";
        NDArray patchW = w.tensor(pre + "embeddings.patch_embedding.weight", d, channels, patch, patch)
                .reshape(d, (long) channels * patch * patch);
        PatchEmbedding embed = new PatchEmbedding(patchW, null, patch, channels);
        NDArray cls = w.tensor(pre + "embeddings.class_embedding", d);
        String posName = pre + "embeddings.position_embedding.weight";
        long[] pos = w.shape(posName, -1, d);
        PositionTable table = new PositionTable(w.float32(posName, pos), PositionTable.ClassRow.PRESENT, interpolation, w.dtype(),
                w.checkpoint().where(posName) + ": tensor '" + posName + "'");
        List<TransformerBlock> blocks = blocks(w, pre + "encoder.layers.", layers, d, inter, heads, eps, act);
        VisionHead head = null;
        if (headRequired || w.has(pre + "post_layernorm.weight")) {
            NormWeights post = w.norm(pre + "post_layernorm", d, eps);
            LinearWeights proj = projectionDim < 0 ? null : w.linear(prefix + "visual_projection", projectionDim, d, Bias.ABSENT);
            head = new ClsPostNormHead(post, proj);
        }
        return new VisionTower(embed, cls, null, table, w.norm(pre + "pre_layrnorm", d, eps), blocks, head, w.dtype());
    }

    /** The text tower; tensor names start with {@code text_model.}. */
    static TextTower text(ConfigFile tc, WeightReader w, long projectionDim) {
        long d = tc.integer("hidden_size", 512);
        long inter = tc.integer("intermediate_size", 2048);
        int layers = tc.integer("num_hidden_layers", 12);
        int heads = tc.integer("num_attention_heads", 8);
        long vocab = tc.integer("vocab_size", 49408);
        long context = tc.integer("max_position_embeddings", 77);
        float eps = (float) tc.number("layer_norm_eps", 1e-5);
        long eos = tc.integer("eos_token_id", 49407);
        ActivationFn act = ActivationFn.fromHf(tc.text("hidden_act", "quick_gelu"), tc.file() + ": field 'text_config.hidden_act'");
        String pre = "text_model.";
        NDArray tok = w.tensor(pre + "embeddings.token_embedding.weight", vocab, d);
        NDArray pos = w.tensor(pre + "embeddings.position_embedding.weight", context, d);
        List<TransformerBlock> blocks = blocks(w, pre + "encoder.layers.", layers, d, inter, heads, eps, act);
        // CLIPTextTransformer: the legacy configs (eos_token_id == 2) pool at argmax(input_ids)
        TextPooling pooling = eos == 2 ? TextPooling.argmax() : TextPooling.firstEos(eos);
        return new TextTower(tok, pos, blocks, w.norm(pre + "final_layer_norm", d, eps), TextTower.Attention.CAUSAL, pooling, null,
                w.linear("text_projection", projectionDim, d, Bias.ABSENT));
    }

    /** Hugging Face CLIP/SigLIP encoder layers: {@code layer_norm1}, {@code self_attn.{q,k,v,out}_proj}, {@code layer_norm2}, {@code mlp.fc1/fc2}. */
    static List<TransformerBlock> blocks(WeightReader w, String prefix, int layers, long d, long inter, int heads, float eps, ActivationFn act) {
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            LinearWeights qkv = w.fusedQkv(p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj", d, Bias.PRESENT);
            blocks.add(new TransformerBlock(new BlockWeights(w.norm(p + "layer_norm1", d, eps), qkv,
                    w.linear(p + "self_attn.out_proj", d, d, Bias.PRESENT), null, w.norm(p + "layer_norm2", d, eps),
                    w.linear(p + "mlp.fc1", inter, d, Bias.PRESENT), w.linear(p + "mlp.fc2", d, inter, Bias.PRESENT), null,
                    act, BlockWeights.Mlp.PLAIN, heads)));
        }
        return blocks;
    }
}
