package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.model.ActivationFn;

/**
 * The toy DINOv2: Hugging Face {@code Dinov2Model} (Oquab et al. 2024; tensor names of
 * {@code lib/MODELS.md} §4) at toy size: patch conv with bias, class token, positions, pre-LN blocks
 * with exact GELU and LayerScale, final LayerNorm on every token, pooled = the normed class token. The
 * {@code embeddings.mask_token} is used as transformers uses it: it replaces the patch embeddings of masked
 * patches before the class token and the positions are added.
 */
final class ToyDinoModel implements ToyModel {

    /** LayerNorm epsilon of DINOv2. */
    static final double LAYER_NORM_EPS = 1e-6;
    /** {@link #LAYER_NORM_EPS} as the float the forward uses (saelab's loader reads the config value the same way). */
    private static final float EPS = (float) LAYER_NORM_EPS;
    /** ImageNet normalisation constants ({@code lib/MODELS.md} §2.1). */
    static final double[] MEAN = {0.485, 0.456, 0.406};
    static final double[] STD = {0.229, 0.224, 0.225};

    private final ToyArchitecture arch;
    private final ToyParameters params;

    /** Defines and initialises the parameters. */
    ToyDinoModel(ToyArchitecture arch, NDManager manager, long seed) {
        this.arch = arch;
        this.params = new ToyParameters(manager, seed, ToyParameters.initStd(arch.width()));
        long d = arch.width();
        int p = arch.patch();
        params.embedding("embeddings.cls_token", 1, 1, d);
        params.embedding("embeddings.mask_token", 1, d);
        params.embedding("embeddings.position_embeddings", 1, arch.patches() + 1, d);
        params.weight("embeddings.patch_embeddings.projection.weight", d, 3, p, p);
        params.bias("embeddings.patch_embeddings.projection.bias", d);
        for (int i = 0; i < arch.layers(); i++) {
            ToyBlock.DINOV2.define(params, "encoder.layer." + i + ".", d, arch.mlpHidden(), arch.layerScaleInit());
        }
        params.norm("layernorm", d);
    }

    @Override
    public ToyBackboneKind kind() {
        return ToyBackboneKind.DINOV2;
    }

    @Override
    public ToyArchitecture architecture() {
        return arch;
    }

    @Override
    public ToyParameters parameters() {
        return params;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("Dinov2Model"));
        m.put("model_type", "dinov2");
        m.put("hidden_size", arch.width());
        m.put("num_hidden_layers", arch.layers());
        m.put("num_attention_heads", arch.heads());
        m.put("mlp_ratio", ToyArchitecture.MLP_RATIO);
        m.put("patch_size", arch.patch());
        m.put("image_size", arch.imageSize());
        m.put("num_channels", 3);
        m.put("hidden_act", "gelu");
        m.put("layer_norm_eps", LAYER_NORM_EPS);
        m.put("qkv_bias", true);
        m.put("layerscale_value", arch.layerScaleInit());
        m.put("use_swiglu_ffn", false);
        m.put("use_mask_token", true);
        m.put("drop_path_rate", 0.0);
        m.put("hidden_dropout_prob", 0.0);
        m.put("attention_probs_dropout_prob", 0.0);
        m.put("initializer_range", ToyParameters.initStd(arch.width()));
        m.put("torch_dtype", "float32");
        return m;
    }

    @Override
    public Map<String, Object> preprocessorConfig() {
        return ToyPreprocessing.config("BitImageProcessor", arch.imageSize(), MEAN, STD);
    }

    @Override
    public ToyVisionActivations vision(NDArray pixels, NDArray mask) {
        long b = pixels.getShape().get(0);
        long d = arch.width();
        NDArray patchW = params.get("embeddings.patch_embeddings.projection.weight").reshape(d, 3L * arch.patch() * arch.patch());
        NDArray x = ToyOps.linear(ToyOps.patchify(pixels, arch.patch()), patchW, params.get("embeddings.patch_embeddings.projection.bias"));
        if (mask != null) {
            // Dinov2Embeddings: torch.where(bool_masked_pos, mask_token, embeddings), written as a blend so
            // the mask token gets its gradient
            x = x.mul(ToyOps.scalar(mask, 1f).sub(mask)).add(params.get("embeddings.mask_token").reshape(1, 1, d).mul(mask));
        }
        NDArray cls = params.get("embeddings.cls_token").broadcast(b, 1, d);
        x = NDArrays.concat(new NDList(cls, x), 1).add(params.get("embeddings.position_embeddings"));
        NDArray embeddings = x;
        List<NDArray> blocks = new ArrayList<>();
        for (int i = 0; i < arch.layers(); i++) {
            x = ToyBlock.DINOV2.forward(params, "encoder.layer." + i + ".", x, null, arch.heads(), ActivationFn.GELU, EPS);
            blocks.add(x);
        }
        NDArray last = ToyOps.layerNorm(x, params.get("layernorm.weight"), params.get("layernorm.bias"), EPS);
        return new ToyVisionActivations(embeddings, List.copyOf(blocks), last, last.get(new NDIndex(":, 0, :")), null);
    }
}
