package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/**
 * Builds Hugging Face SigLIP (Zhai et al. 2023; transformers {@code SiglipModel},
 * {@code SiglipVisionModel}) from {@code config.json} (missing fields at the
 * {@code SiglipVisionConfig} / {@code SiglipTextConfig} defaults) and the tensor names of
 * {@code lib/MODELS.md} §6. Vision: patch conv with bias, positions (no class token, no
 * pre-norm), blocks, {@code post_layernorm} on every token, MAP head. Text: bidirectional blocks
 * over the padded sequence, {@code final_layer_norm}, last token through {@code head}.
 */
final class SiglipLoader {

    private SiglipLoader() {}

    /**
     * The vision tower; tensor names start with {@code prefix + "vision_model."} ({@code prefix} is empty for a
     * SigLIP checkpoint, {@code vision_tower.} inside a LLaVA checkpoint). With {@code headRequired} false the
     * head ({@code post_layernorm} and the MAP head) is left out when {@code vision_use_head} is false or its
     * tensors are absent.
     */
    static VisionTower vision(ConfigFile vc, WeightReader w, String prefix, PosInterpolation interpolation, boolean headRequired) {
        long d = vc.integer("hidden_size", 768);
        long inter = vc.integer("intermediate_size", 3072);
        int layers = vc.integer("num_hidden_layers", 12);
        int heads = vc.integer("num_attention_heads", 12);
        int patch = vc.integer("patch_size", 16);
        int channels = vc.integer("num_channels", 3);
        float eps = (float) vc.number("layer_norm_eps", 1e-6);
        boolean useHead = vc.bool("vision_use_head", true);
        if (!useHead && headRequired) {
            throw vc.invalid("vision_use_head", "true (SigLIP towers without the attention-pooling head are not supported)");
        }
        ActivationFn act = ActivationFn.fromHf(vc.text("hidden_act", "gelu_pytorch_tanh"), vc.file() + ": field 'hidden_act'");
        String pre = prefix + "vision_model.";
        NDArray patchW = w.tensor(pre + "embeddings.patch_embedding.weight", d, channels, patch, patch)
                .reshape(d, (long) channels * patch * patch);
        PatchEmbedding embed = new PatchEmbedding(patchW, w.tensor(pre + "embeddings.patch_embedding.bias", d), patch, channels);
        String posName = pre + "embeddings.position_embedding.weight";
        long[] pos = w.shape(posName, -1, d);
        PositionTable table = new PositionTable(w.float32(posName, pos), PositionTable.ClassRow.ABSENT, interpolation, w.dtype(),
                w.checkpoint().where(posName) + ": tensor '" + posName + "'");
        List<TransformerBlock> blocks = ClipLoader.blocks(w, pre + "encoder.layers.", layers, d, inter, heads, eps, act);
        String h = pre + "head.";
        if (!headRequired && (!useHead || !w.has(h + "probe") || !w.has(pre + "post_layernorm.weight"))) {
            return new VisionTower(embed, null, null, table, null, blocks, null, w.dtype());
        }
        LinearWeights inProj = new LinearWeights(w.tensor(h + "attention.in_proj_weight", 3 * d, d), w.tensor(h + "attention.in_proj_bias", 3 * d));
        // nn.MultiheadAttention divides q by sqrt(head dim); folded into the query rows here
        float scale = (float) (1.0 / Math.sqrt((double) d / heads));
        LinearWeights query = new LinearWeights(inProj.weight().get(new NDIndex("0:{}, :", d)).mul(scale),
                inProj.bias().get(new NDIndex("0:{}", d)).mul(scale));
        LinearWeights keyValue = new LinearWeights(inProj.weight().get(new NDIndex("{}:, :", d)).duplicate(),
                inProj.bias().get(new NDIndex("{}:", d)).duplicate());
        inProj.weight().close();
        inProj.bias().close();
        VisionHead head = new AttentionPoolHead(w.norm(pre + "post_layernorm", d, eps), w.tensor(h + "probe", 1, 1, d), query, keyValue,
                w.linear(h + "attention.out_proj", d, d, Bias.PRESENT), w.norm(h + "layernorm", d, eps),
                w.linear(h + "mlp.fc1", inter, d, Bias.PRESENT), w.linear(h + "mlp.fc2", d, inter, Bias.PRESENT), act, heads);
        return new VisionTower(embed, null, null, table, null, blocks, head, w.dtype());
    }

    static TextTower text(ConfigFile tc, WeightReader w) {
        long d = tc.integer("hidden_size", 768);
        long inter = tc.integer("intermediate_size", 3072);
        int layers = tc.integer("num_hidden_layers", 12);
        int heads = tc.integer("num_attention_heads", 12);
        long vocab = tc.integer("vocab_size", 32000);
        long context = tc.integer("max_position_embeddings", 64);
        float eps = (float) tc.number("layer_norm_eps", 1e-6);
        long projection = tc.integer("projection_size", (int) d);
        ActivationFn act = ActivationFn.fromHf(tc.text("hidden_act", "gelu_pytorch_tanh"), tc.file() + ": field 'text_config.hidden_act'");
        String pre = "text_model.";
        NDArray tok = w.tensor(pre + "embeddings.token_embedding.weight", vocab, d);
        NDArray pos = w.tensor(pre + "embeddings.position_embedding.weight", context, d);
        List<TransformerBlock> blocks = ClipLoader.blocks(w, pre + "encoder.layers.", layers, d, inter, heads, eps, act);
        return new TextTower(tok, pos, blocks, w.norm(pre + "final_layer_norm", d, eps), TextTower.Attention.BIDIRECTIONAL, TextPooling.last(),
                w.linear(pre + "head", projection, d, Bias.PRESENT), null);
    }
}
