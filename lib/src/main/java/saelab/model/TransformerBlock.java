package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * One pre-LayerNorm transformer block (Vaswani et al. 2017; the ViT layout of Dosovitskiy et al.
 * 2021): x = x + ls1 * Attn(LN1(x)); x = x + ls2 * MLP(LN2(x)), with multi-head self-attention
 * softmax(q k^T / sqrt(hd) + mask) v. This is the block of every encoder here (Hugging Face DINOv2,
 * CLIP and SigLIP, open_clip's {@code ResidualAttentionBlock}).
 *
 * <p>Exact rewrites done once at construction, to save elementwise passes per call: the
 * 1/sqrt(hd) scale is folded into the query rows of the fused qkv projection, and the LayerScale
 * vectors (DINOv2) into the output rows of the attention and second MLP projections
 * (ls * (W h + b) = (diag(ls) W) h + ls * b). The results differ from the reference's op order by
 * float32 rounding only.
 */
public final class TransformerBlock {

    private final NormWeights norm1;
    private final LinearWeights qkv;
    private final LinearWeights out;
    private final NormWeights norm2;
    private final LinearWeights fc1;
    private final LinearWeights fc2;
    private final ActivationFn act;
    private final BlockWeights.Mlp mlp;
    private final int heads;
    private final long width;

    /** Builds the block from checkpoint weights; the folded arrays are created on the weights' manager. */
    public TransformerBlock(BlockWeights w) {
        this.width = w.norm1().gamma().getShape().get(0);
        if (width % w.heads() != 0) {
            throw new IllegalArgumentException("width " + width + " is not a multiple of the " + w.heads() + " attention heads");
        }
        this.heads = w.heads();
        long hd = width / heads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        NDArray rowScale = w.qkv().weight().getManager().ones(new Shape(3 * width), w.qkv().weight().getDataType());
        rowScale.set(new NDIndex("0:" + width), scale);
        this.qkv = new LinearWeights(w.qkv().weight().mul(rowScale.reshape(3 * width, 1)),
                w.qkv().bias() == null ? null : w.qkv().bias().mul(rowScale));
        rowScale.close();
        closeAll(w.qkv());
        this.out = scaled(w.out(), w.scale1());
        this.fc2 = scaled(w.fc2(), w.scale2());
        this.norm1 = w.norm1();
        this.norm2 = w.norm2();
        this.fc1 = w.fc1();
        this.act = w.act();
        this.mlp = w.mlp();
    }

    /** The map followed by an elementwise scale ls, as one map; the inputs are closed. */
    private static LinearWeights scaled(LinearWeights lin, NDArray ls) {
        if (ls == null) {
            return lin;
        }
        LinearWeights folded = new LinearWeights(lin.weight().mul(ls.reshape(ls.getShape().get(0), 1)),
                lin.bias() == null ? null : lin.bias().mul(ls));
        closeAll(lin);
        ls.close();
        return folded;
    }

    private static void closeAll(LinearWeights lin) {
        lin.weight().close();
        if (lin.bias() != null) {
            lin.bias().close();
        }
    }

    /** Model width D. */
    public long width() {
        return width;
    }

    /**
     * Runs the block.
     *
     * @param x    {@code [B, T, D]} residual stream (resid_pre of this block); not modified
     * @param mask additive attention mask broadcastable to {@code [B, H, T, T]} (e.g. causal {@code [T, T]}), or null
     * @return {@code [B, T, D]} resid_post, a new array on {@code x}'s manager
     */
    public NDArray forward(NDArray x, NDArray mask) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long hd = width / heads;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray h = norm1.apply(x);
            NDArray proj = qkv.apply(h).reshape(b, t, 3, heads, hd).transpose(2, 0, 3, 1, 4); // [3, B, H, T, hd]
            NDArray q = proj.get(0);
            NDArray k = proj.get(1);
            NDArray v = proj.get(2);
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, T, T], already scaled by 1/sqrt(hd)
            if (mask != null) {
                scores.addi(mask);
            }
            NDArray probs = softmax(scores);
            NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, width);
            NDArray mid = out.apply(ctx).addi(x); // resid_mid = x + attn
            NDArray h2 = norm2.apply(mid);
            NDArray m = mlp(h2);
            NDArray post = fc2.apply(m).addi(mid); // resid_post = mid + mlp
            NDScope.unregister(post);
            return post;
        }
    }

    private NDArray mlp(NDArray h) {
        NDArray up = fc1.apply(h);
        if (mlp == BlockWeights.Mlp.PLAIN) {
            return act.apply(up);
        }
        NDArray[] halves = up.split(2, -1).toArray(new NDArray[0]);
        return Activation.swish(halves[0], 1f).muli(halves[1]); // silu(x1) * x2
    }

    /** Softmax over the key axis, in float32 for half-precision runs (as the references do). */
    static NDArray softmax(NDArray scores) {
        DataType dt = scores.getDataType();
        if (dt == DataType.FLOAT32) {
            return scores.softmax(-1);
        }
        return scores.toType(DataType.FLOAT32, false).softmax(-1).toType(dt, false);
    }
}
