package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import saelab.model.Checkpoint;
import saelab.model.LinearWeights;
import saelab.model.NormWeights;

/**
 * The weights of moondream2's text decoder in the 2025 hub layout ({@code model.text.*}, as
 * {@code build_text_model} of the reference {@code moondream/torch/text.py}, github.com/vikhyat/moondream
 * at 44146f1): the token table {@code wte [V, D]} (a bare tensor), per block one LayerNorm {@code ln},
 * the fused {@code attn.qkv} ({@code [(H + 2 KV) hd, D]}, rows q | k | v) and {@code attn.proj}, the MLP
 * {@code mlp.fc1 / fc2}, all linear maps with bias; then {@code post_ln} and an untied {@code lm_head}
 * with bias. LayerNorm eps is PyTorch's default 1e-5, as the reference's {@code F.layer_norm}.
 *
 * @param wte    {@code [V, D]} token embeddings
 * @param blocks the decoder blocks in order
 * @param postLn the final LayerNorm
 * @param lmHead {@code [V, D]} with bias {@code [V]}
 */
public record MoondreamTextWeights(NDArray wte, List<Block> blocks, NormWeights postLn, LinearWeights lmHead) {

    /** The tensor-name prefix of the text weights. */
    public static final String PREFIX = "model.text.";
    private static final float EPS = 1e-5f;

    /**
     * One parallel block: {@code x + proj(attn(ln x)) + fc2(gelu_tanh(fc1(ln x)))}.
     *
     * @param ln   the block's only LayerNorm
     * @param qkv  fused query, key and value projection
     * @param proj attention output projection
     * @param fc1  MLP input map
     * @param fc2  MLP output map
     */
    public record Block(NormWeights ln, LinearWeights qkv, LinearWeights proj, LinearWeights fc1, LinearWeights fc2) {}

    /** Copies the block list. */
    public MoondreamTextWeights {
        blocks = List.copyOf(blocks);
    }

    /**
     * Reads every text tensor of {@code ckpt}, shape-checked against {@code cfg}, onto {@code manager} in float32.
     * Unlike the reference loader ({@code load_state_dict(strict=False)}, which silently keeps random
     * weights for a missing name), a missing tensor is an error.
     *
     * @throws IllegalArgumentException for a missing tensor or a wrong shape, naming the file, the tensor and the shapes
     */
    public static MoondreamTextWeights read(MoondreamTextConfig cfg, Checkpoint ckpt, NDManager manager) {
        long d = cfg.dim();
        long hd = cfg.headDim();
        long qkvRows = (cfg.nHeads() + 2L * cfg.nKvHeads()) * hd;
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.nLayers(); i++) {
            String b = "blocks." + i + ".";
            blocks.add(new Block(norm(ckpt, manager, b + "ln", d), linear(ckpt, manager, b + "attn.qkv", qkvRows, d),
                    linear(ckpt, manager, b + "attn.proj", d, cfg.nHeads() * hd), linear(ckpt, manager, b + "mlp.fc1", cfg.ffDim(), d),
                    linear(ckpt, manager, b + "mlp.fc2", d, cfg.ffDim())));
        }
        return new MoondreamTextWeights(take(ckpt, manager, "wte", cfg.vocabSize(), d), blocks, norm(ckpt, manager, "post_ln", d),
                linear(ckpt, manager, "lm_head", cfg.vocabSize(), d));
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
