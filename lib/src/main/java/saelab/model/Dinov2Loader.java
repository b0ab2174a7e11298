package saelab.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds DINOv2 (Oquab et al. 2024) and DINOv2 with registers (Darcet et al. 2024) from Hugging
 * Face checkpoints: {@code config.json} ({@code Dinov2Config} / {@code Dinov2WithRegistersConfig},
 * missing fields at the transformers defaults) and the tensor names of {@code lib/MODELS.md}
 * §4 ({@code embeddings.*}, {@code encoder.layer.{i}.*}, {@code layernorm.*}). Forward as
 * {@code Dinov2Model}: patch conv, CLS, + positions, registers after the CLS, blocks with
 * LayerScale, final LayerNorm on every token, pooled = CLS.
 */
final class Dinov2Loader {

    private Dinov2Loader() {}

    /**
     * The image tower of a {@link ModelFamily#DINOV2} or {@link ModelFamily#DINOV2_REGISTERS} checkpoint (the latter
     * with {@code embeddings.register_tokens}).
     */
    static VisionTower vision(ConfigFile cfg, WeightReader w, ModelFamily family, PosInterpolation interpolation) {
        if (family != ModelFamily.DINOV2 && family != ModelFamily.DINOV2_REGISTERS) {
            throw new IllegalStateException("not a DINOv2 family: " + family);
        }
        long d = cfg.integer("hidden_size", 768);
        int layers = cfg.integer("num_hidden_layers", 12);
        int heads = cfg.integer("num_attention_heads", 12);
        double mlpRatio = cfg.number("mlp_ratio", 4);
        int patch = cfg.integer("patch_size", 16);
        int channels = cfg.integer("num_channels", 3);
        float eps = (float) cfg.number("layer_norm_eps", 1e-12);
        Bias qkvBias = cfg.bool("qkv_bias", true) ? Bias.PRESENT : Bias.ABSENT;
        BlockWeights.Mlp mlp = cfg.bool("use_swiglu_ffn", false) ? BlockWeights.Mlp.SWIGLU : BlockWeights.Mlp.PLAIN;
        ActivationFn act = ActivationFn.fromHf(cfg.text("hidden_act", "gelu"), cfg.file() + ": field 'hidden_act'");

        String patchName = "embeddings.patch_embeddings.projection";
        NDArray patchW = w.tensor(patchName + ".weight", d, channels, patch, patch).reshape(d, (long) channels * patch * patch);
        PatchEmbedding embed = new PatchEmbedding(patchW, w.tensor(patchName + ".bias", d), patch, channels);
        NDArray cls = w.tensor("embeddings.cls_token", 1, 1, d).reshape(d);
        long[] pos = w.shape("embeddings.position_embeddings", 1, -1, d);
        String posName = "embeddings.position_embeddings";
        PositionTable table = new PositionTable(w.float32(posName, pos).reshape(pos[1], d), PositionTable.ClassRow.PRESENT, interpolation,
                w.dtype(), w.checkpoint().where(posName) + ": tensor '" + posName + "'");
        NDArray regs = null;
        if (family == ModelFamily.DINOV2_REGISTERS) {
            int r = cfg.integer("num_register_tokens", 4);
            regs = w.tensor("embeddings.register_tokens", 1, r, d).reshape(r, d);
        }
        long hidden = (long) (d * mlpRatio);
        if (mlp == BlockWeights.Mlp.SWIGLU) {
            // Dinov2SwiGLUFFN: hidden = int(2/3 * int(D * mlp_ratio)) rounded up to a multiple of 8
            hidden = ((long) (hidden * 2 / 3.0) + 7) / 8 * 8;
        }
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            String a = p + "attention.attention.";
            LinearWeights qkv = w.fusedQkv(a + "query", a + "key", a + "value", d, qkvBias);
            boolean swiglu = mlp == BlockWeights.Mlp.SWIGLU;
            LinearWeights fc1 = swiglu ? w.linear(p + "mlp.weights_in", 2 * hidden, d, Bias.PRESENT)
                    : w.linear(p + "mlp.fc1", hidden, d, Bias.PRESENT);
            LinearWeights fc2 = swiglu ? w.linear(p + "mlp.weights_out", d, hidden, Bias.PRESENT)
                    : w.linear(p + "mlp.fc2", d, hidden, Bias.PRESENT);
            blocks.add(new TransformerBlock(new BlockWeights(w.norm(p + "norm1", d, eps), qkv,
                    w.linear(p + "attention.output.dense", d, d, Bias.PRESENT),
                    w.tensor(p + "layer_scale1.lambda1", d), w.norm(p + "norm2", d, eps), fc1, fc2, w.tensor(p + "layer_scale2.lambda1", d),
                    act, mlp, heads)));
        }
        VisionHead head = new NormedClsHead(w.norm("layernorm", d, eps), null);
        return new VisionTower(embed, cls, regs, table, null, blocks, head, w.dtype());
    }
}
