package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import saelab.model.ActivationFn;
import saelab.model.BlockWeights;
import saelab.model.Checkpoint;
import saelab.model.LinearWeights;
import saelab.model.NormWeights;
import saelab.model.PatchEmbedding;
import saelab.model.TransformerBlock;

/**
 * Builds moondream2's vision encoder and projection from a checkpoint in the 2025 hub layout
 * ({@code model.vision.*}: {@code patch_emb}, {@code pos_emb [1, T, D]}, {@code blocks.{i}.ln1 / attn.qkv /
 * attn.proj / ln2 / mlp.fc1 / mlp.fc2}, {@code post_ln}, {@code proj_mlp.fc1 / fc2}), every tensor
 * shape-checked. Unlike the reference loader ({@code load_state_dict(strict=False)}, which silently
 * keeps random weights for a missing name), a missing tensor is an error naming the file and the
 * tensor. LayerNorm eps is PyTorch's default 1e-5, as the reference's {@code F.layer_norm}.
 */
final class MoondreamVisionLoader {

    /** The tensor-name prefix of the vision weights. */
    static final String PREFIX = "model.vision.";
    private static final float EPS = 1e-5f;

    private MoondreamVisionLoader() {}

    /** The encoder, on {@code manager} in float32. */
    static MoondreamVisionEncoder encoder(MoondreamVisionConfig cfg, Checkpoint ckpt, NDManager manager) {
        refuseOldLayout(ckpt);
        long d = cfg.encDim();
        int p = cfg.encPatchSize();
        long patchDim = 3L * p * p;
        PatchEmbedding patches = new PatchEmbedding(take(ckpt, manager, "patch_emb.weight", d, patchDim),
                take(ckpt, manager, "patch_emb.bias", d), p, 3);
        NDArray positions = take(ckpt, manager, "pos_emb", 1, cfg.patchesPerCrop(), d);
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.encNLayers(); i++) {
            String b = "blocks." + i + ".";
            blocks.add(new TransformerBlock(new BlockWeights(norm(ckpt, manager, b + "ln1", d), linear(ckpt, manager, b + "attn.qkv", 3 * d, d),
                    linear(ckpt, manager, b + "attn.proj", d, d), null, norm(ckpt, manager, b + "ln2", d),
                    linear(ckpt, manager, b + "mlp.fc1", cfg.encFfDim(), d), linear(ckpt, manager, b + "mlp.fc2", d, cfg.encFfDim()), null,
                    ActivationFn.GELU_TANH, BlockWeights.Mlp.PLAIN, cfg.encNHeads())));
        }
        return new MoondreamVisionEncoder(patches, positions, blocks, norm(ckpt, manager, "post_ln", d), cfg.cropSize());
    }

    /** The projection, on {@code manager} in float32. */
    static MoondreamProjection projection(MoondreamVisionConfig cfg, Checkpoint ckpt, NDManager manager) {
        return new MoondreamProjection(linear(ckpt, manager, "proj_mlp.fc1", cfg.projInnerDim(), cfg.projectionInputDim()),
                linear(ckpt, manager, "proj_mlp.fc2", cfg.projOutDim(), cfg.projInnerDim()));
    }

    /** The pre-2025 hub layout ({@code vision_encoder.encoder.model.visual.*}) is refused in one sentence rather than tensor by tensor. */
    private static void refuseOldLayout(Checkpoint ckpt) {
        String old = "vision_encoder.encoder.model.visual.patch_embed.linear.weight";
        if (!ckpt.has(PREFIX + "patch_emb.weight") && ckpt.has(old)) {
            throw new IllegalArgumentException(ckpt.where(old) + ": tensor '" + old + "' is in the older moondream2 layout"
                    + " (vision_encoder.*, text_model.*); expected the 2025 layout with names model.vision.*");
        }
    }

    private static NDArray take(Checkpoint ckpt, NDManager manager, String name, long... shape) {
        return ckpt.take(PREFIX + name, manager, DataType.FLOAT32, shape);
    }

    private static NormWeights norm(Checkpoint ckpt, NDManager manager, String name, long d) {
        return new NormWeights(take(ckpt, manager, name + ".weight", d), take(ckpt, manager, name + ".bias", d), EPS);
    }

    private static LinearWeights linear(Checkpoint ckpt, NDManager manager, String name, long out, long in) {
        return new LinearWeights(take(ckpt, manager, name + ".weight", out, in), take(ckpt, manager, name + ".bias", out));
    }
}
