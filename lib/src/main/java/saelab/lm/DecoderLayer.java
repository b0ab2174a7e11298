package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * One pre-norm decoder layer of transformers 4.45.2 {@code LlamaDecoderLayer} / {@code Qwen2DecoderLayer}
 * (eager attention): h = x + o_proj(Attn(RMSNorm(x))); out = h + down(silu(gate(RMSNorm(h))) * up(RMSNorm(h))).
 * Attention is grouped-query (Ainslie et al. 2023): the reference's {@code repeat_kv} repeats each
 * key/value head {@code groups} times consecutively, so query head h reads key/value head h / groups; here
 * the query heads of a group are stacked along the sequence axis instead, which multiplies the same numbers
 * without copying the keys. Scores are q k^T / sqrt(head dim) plus an additive mask, softmax in float32,
 * times v. Keys and queries are rotated by {@link Rope} before the scores.
 */
final class DecoderLayer {

    private final LayerWeights w;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;

    DecoderLayer(LayerWeights w, LmConfig cfg) {
        this.w = w;
        this.heads = cfg.heads();
        this.kvHeads = cfg.kvHeads();
        this.headDim = cfg.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * Runs the layer; temporaries are left to the caller's {@code NDScope}.
     *
     * @param x     {@code [B, T, D]} residual stream
     * @param cos   rotary table {@code [B, T, 1, hd]}
     * @param sin   rotary table {@code [B, T, 1, hd]}
     * @param mask  additive mask {@code [B, 1, 1, T, S]} (S = cached + T)
     * @param cache the cache to extend, or null to attend within {@code x} only
     * @param index this layer's index in the cache
     * @return {@code [B, T, D]}
     */
    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache, int index) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int groups = heads / kvHeads;
        long qWidth = (long) heads * headDim;
        long kvWidth = (long) kvHeads * headDim;
        NDArray h = w.inputNorm().apply(x);
        NDArray proj = w.qkv().apply(h); // [B, T, (H + 2 KV) hd]
        NDList parts = proj.split(new long[] {qWidth, qWidth + kvWidth}, 2);
        NDArray q = Rope.apply(parts.get(0).reshape(b, t, heads, headDim), cos, sin);
        NDArray k = Rope.apply(parts.get(1).reshape(b, t, kvHeads, headDim), cos, sin).transpose(0, 2, 1, 3); // [B, KV, T, hd]
        NDArray v = parts.get(2).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
        if (cache != null) {
            NDList kv = cache.append(index, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        long keysLen = k.getShape().get(2);
        // [B, T, KV, groups, hd] -> [B, KV, groups * T, hd]: query head kv * groups + g sits in block g of its KV head
        NDArray qg = q.reshape(b, t, kvHeads, groups, headDim).transpose(0, 2, 3, 1, 4).reshape(b, kvHeads, groups * t, headDim);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).muli(scale).reshape(b, kvHeads, groups, t, keysLen).addi(mask);
        NDArray probs = scores.softmax(4).reshape(b, kvHeads, groups * t, keysLen);
        NDArray ctx = probs.matMul(v).reshape(b, kvHeads, groups, t, headDim).transpose(0, 3, 1, 2, 4).reshape(b, t, qWidth);
        NDArray mid = w.output().apply(ctx).addi(x);
        NDArray h2 = w.postAttnNorm().apply(mid);
        NDList gateUp = w.gateUp().apply(h2).split(2, 2);
        NDArray act = Activation.swish(gateUp.get(0), 1f).muli(gateUp.get(1)); // silu(gate) * up
        return w.down().apply(act).addi(mid);
    }
}
