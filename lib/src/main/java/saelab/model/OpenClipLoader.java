package saelab.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds open_clip {@code CLIP} models (Ilharco et al., mlfoundations/open_clip; e.g. BioCLIP,
 * Stevens et al. 2024) from {@code open_clip_config.json} ({@code model_cfg}; missing fields at
 * open_clip's {@code CLIPVisionCfg} / {@code CLIPTextCfg} defaults) and
 * {@code open_clip_model.safetensors} (names of {@code lib/MODELS.md} §7: fused
 * {@code attn.in_proj_weight}, {@code [in, out]} projections, LayerNorm eps 1e-5). The MLP
 * activation is QuickGELU when {@code model_cfg.quick_gelu} is true, exact GELU otherwise, as
 * open_clip builds it. Options that change the architecture (attentional pooling, no ln_pre,
 * final_ln_after_pool, a Hugging Face or timm tower, ...) are refused with an error.
 */
final class OpenClipLoader {

    private static final float EPS = 1e-5f;

    private OpenClipLoader() {}

    static VisionTower vision(ConfigFile model, WeightReader w, PosInterpolation interpolation) {
        ConfigFile vc = model.section("vision_cfg");
        refuse(vc, "timm_model_name", "attentional_pool", "attn_pooler_queries", "no_ln_pre", "final_ln_after_pool",
                "input_patchnorm", "global_average_pool", "act_kwargs", "norm_kwargs");
        if (!vc.text("pos_embed_type", "learnable").equals("learnable")) {
            throw vc.invalid("pos_embed_type", "\"learnable\"");
        }
        if (!vc.text("pool_type", "tok").equals("tok")) {
            throw vc.invalid("pool_type", "\"tok\" (class-token pooling)");
        }
        long d = vc.integer("width", 768);
        int layers = vc.integer("layers", 12);
        int headWidth = vc.integer("head_width", 64);
        if (headWidth <= 0 || d % headWidth != 0) {
            throw vc.invalid("head_width", "a divisor of vision_cfg.width " + d);
        }
        int heads = (int) (d / headWidth);
        long hidden = (long) (d * vc.number("mlp_ratio", 4.0));
        int patch = vc.integer("patch_size", 16);
        long embedDim = model.requiredInteger("embed_dim");
        ActivationFn act = model.bool("quick_gelu", false) ? ActivationFn.QUICK_GELU : ActivationFn.GELU;
        String pre = "visual.";
        NDArray patchW = w.tensor(pre + "conv1.weight", d, 3, patch, patch).reshape(d, 3L * patch * patch);
        PatchEmbedding embed = new PatchEmbedding(patchW, null, patch, 3);
        NDArray cls = w.tensor(pre + "class_embedding", d);
        String posName = pre + "positional_embedding";
        long[] pos = w.shape(posName, -1, d);
        PositionTable table = new PositionTable(w.float32(posName, pos), PositionTable.ClassRow.PRESENT, interpolation, w.dtype(),
                w.checkpoint().where(posName) + ": tensor '" + posName + "'");
        List<TransformerBlock> blocks = blocks(w, pre + "transformer.resblocks.", layers, d, hidden, heads, act);
        VisionHead head = new NormedClsHead(w.norm(pre + "ln_post", d, EPS), w.transposedMatrix(pre + "proj", d, embedDim));
        return new VisionTower(embed, cls, null, table, w.norm(pre + "ln_pre", d, EPS), blocks, head, w.dtype());
    }

    static TextTower text(ConfigFile model, WeightReader w) {
        ConfigFile tc = model.section("text_cfg");
        refuse(tc, "hf_model_name", "hf_tokenizer_name", "embed_cls", "no_causal_mask", "proj_bias", "attn_pooler_heads", "act_kwargs",
                "norm_kwargs", "proj_type");
        if (!tc.text("pool_type", "argmax").equals("argmax")) {
            throw tc.invalid("pool_type", "\"argmax\" (pool at the end-of-text token)");
        }
        long d = tc.integer("width", 512);
        int layers = tc.integer("layers", 12);
        int heads = tc.integer("heads", 8);
        long hidden = (long) (d * tc.number("mlp_ratio", 4.0));
        long vocab = tc.integer("vocab_size", 49408);
        long context = tc.integer("context_length", 77);
        long embedDim = model.requiredInteger("embed_dim");
        ActivationFn act = model.bool("quick_gelu", false) ? ActivationFn.QUICK_GELU : ActivationFn.GELU;
        NDArray tok = w.tensor("token_embedding.weight", vocab, d);
        NDArray pos = w.tensor("positional_embedding", context, d);
        List<TransformerBlock> blocks = blocks(w, "transformer.resblocks.", layers, d, hidden, heads, act);
        return new TextTower(tok, pos, blocks, w.norm("ln_final", d, EPS), TextTower.Attention.CAUSAL, TextPooling.argmax(), null,
                w.transposedMatrix("text_projection", d, embedDim));
    }

    /**
     * open_clip {@code ResidualAttentionBlock}s: {@code ln_1}, fused {@code attn.in_proj}, {@code attn.out_proj}, {@code ln_2},
     * {@code mlp.c_fc/c_proj}, optional LayerScale {@code ls_1/ls_2.gamma}.
     */
    private static List<TransformerBlock> blocks(WeightReader w, String prefix, int layers, long d, long hidden, int heads, ActivationFn act) {
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            LinearWeights qkv = new LinearWeights(w.tensor(p + "attn.in_proj_weight", 3 * d, d), w.tensor(p + "attn.in_proj_bias", 3 * d));
            NDArray ls1 = w.has(p + "ls_1.gamma") ? w.tensor(p + "ls_1.gamma", d) : null;
            NDArray ls2 = w.has(p + "ls_2.gamma") ? w.tensor(p + "ls_2.gamma", d) : null;
            blocks.add(new TransformerBlock(new BlockWeights(w.norm(p + "ln_1", d, EPS), qkv,
                    w.linear(p + "attn.out_proj", d, d, Bias.PRESENT), ls1, w.norm(p + "ln_2", d, EPS),
                    w.linear(p + "mlp.c_fc", hidden, d, Bias.PRESENT), w.linear(p + "mlp.c_proj", d, hidden, Bias.PRESENT), ls2,
                    act, BlockWeights.Mlp.PLAIN, heads)));
        }
        return blocks;
    }

    /** Refuses config options that change the architecture when they are set to anything but null/false. */
    private static void refuse(ConfigFile c, String... fields) {
        for (String f : fields) {
            if (c.has(f) && !(c.isFalse(f))) {
                throw c.invalid(f, "absent (this open_clip option is not supported by saelab)");
            }
        }
    }
}
