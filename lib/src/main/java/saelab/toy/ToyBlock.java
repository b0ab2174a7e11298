package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import saelab.model.ActivationFn;

/**
 * One pre-LayerNorm transformer block for training (Vaswani et al. 2017; the ViT layout of Dosovitskiy et al.
 * 2021): {@code x = x + ls1 * Attn(LN1(x)); x = x + ls2 * MLP(LN2(x))}, multi-head self-attention
 * {@code softmax(q k^T / sqrt(hd) + mask) v} with separate q, k, v projections, MLP {@code fc2(act(fc1(h)))}.
 * The parameter names follow one of two Hugging Face layouts ({@link #CLIP}: {@code CLIPEncoderLayer};
 * {@link #DINOV2}: {@code Dinov2Layer} with LayerScale), so the same math is saved under the names each
 * loader reads.
 *
 * @param norm1  first LayerNorm
 * @param query  query projection
 * @param key    key projection
 * @param value  value projection
 * @param out    attention output projection
 * @param scale1 LayerScale of the attention branch ({@code .lambda1}), or null
 * @param norm2  second LayerNorm
 * @param fc1    first MLP layer
 * @param fc2    second MLP layer
 * @param scale2 LayerScale of the MLP branch, or null
 */
record ToyBlock(String norm1, String query, String key, String value, String out, String scale1, String norm2, String fc1, String fc2,
                String scale2) {

    /** Hugging Face CLIP's encoder layer (vision and text towers). */
    static final ToyBlock CLIP = new ToyBlock("layer_norm1", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.out_proj", null, "layer_norm2", "mlp.fc1", "mlp.fc2", null);
    /** Hugging Face DINOv2's layer, with LayerScale. */
    static final ToyBlock DINOV2 = new ToyBlock("norm1", "attention.attention.query", "attention.attention.key",
            "attention.attention.value", "attention.output.dense", "layer_scale1", "norm2", "mlp.fc1", "mlp.fc2", "layer_scale2");

    /** Defines the block's parameters under {@code prefix} (e.g. {@code vision_model.encoder.layers.0.}). */
    void define(ToyParameters p, String prefix, long d, long hidden, double layerScale) {
        p.norm(prefix + norm1, d);
        for (String proj : new String[] {query, key, value, out}) {
            p.weight(prefix + proj + ".weight", d, d);
            p.bias(prefix + proj + ".bias", d);
        }
        if (scale1 != null) {
            p.add(prefix + scale1 + ".lambda1", new long[] {d}, ToyParameters.Init.CONSTANT, layerScale, WeightDecay.EXEMPT);
        }
        p.norm(prefix + norm2, d);
        p.weight(prefix + fc1 + ".weight", hidden, d);
        p.bias(prefix + fc1 + ".bias", hidden);
        p.weight(prefix + fc2 + ".weight", d, hidden);
        p.bias(prefix + fc2 + ".bias", d);
        if (scale2 != null) {
            p.add(prefix + scale2 + ".lambda1", new long[] {d}, ToyParameters.Init.CONSTANT, layerScale, WeightDecay.EXEMPT);
        }
    }

    /**
     * Runs the block.
     *
     * @param x    {@code [B, T, D]} resid_pre
     * @param mask additive attention mask {@code [T, T]} (causal text), or null
     * @return {@code [B, T, D]} resid_post
     */
    NDArray forward(ToyParameters p, String prefix, NDArray x, NDArray mask, int heads, ActivationFn act, float eps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long d = s.get(2);
        long hd = d / heads;
        NDArray h = ToyOps.layerNorm(x, p.get(prefix + norm1 + ".weight"), p.get(prefix + norm1 + ".bias"), eps);
        NDArray q = heads(ToyOps.linear(h, p.get(prefix + query + ".weight"), p.get(prefix + query + ".bias")), b, t, heads, hd);
        NDArray k = heads(ToyOps.linear(h, p.get(prefix + key + ".weight"), p.get(prefix + key + ".bias")), b, t, heads, hd);
        NDArray v = heads(ToyOps.linear(h, p.get(prefix + value + ".weight"), p.get(prefix + value + ".bias")), b, t, heads, hd);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(ToyOps.scalar(q, (float) (1.0 / Math.sqrt(hd)))); // [B, H, T, T]
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
        NDArray a = ToyOps.linear(ctx, p.get(prefix + out + ".weight"), p.get(prefix + out + ".bias"));
        if (scale1 != null) {
            a = a.mul(p.get(prefix + scale1 + ".lambda1"));
        }
        NDArray mid = x.add(a);
        NDArray h2 = ToyOps.layerNorm(mid, p.get(prefix + norm2 + ".weight"), p.get(prefix + norm2 + ".bias"), eps);
        NDArray up = ToyOps.activation(act, ToyOps.linear(h2, p.get(prefix + fc1 + ".weight"), p.get(prefix + fc1 + ".bias")));
        NDArray m = ToyOps.linear(up, p.get(prefix + fc2 + ".weight"), p.get(prefix + fc2 + ".bias"));
        if (scale2 != null) {
            m = m.mul(p.get(prefix + scale2 + ".lambda1"));
        }
        return mid.add(m);
    }

    /** {@code [B, T, D]} to {@code [B, H, T, hd]}; head h owns features {@code [h hd, (h+1) hd)}. */
    private static NDArray heads(NDArray x, long b, long t, int heads, long hd) {
        return x.reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    }
}
