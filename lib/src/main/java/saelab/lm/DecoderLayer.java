package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * One pre-norm decoder layer of transformers 4.45.2 {@code LlamaDecoderLayer} / {@code Qwen2DecoderLayer}
 * (eager attention): h = x + o_proj(Attn(RMSNorm(x))); out = h + down(silu(gate(RMSNorm(h))) * up(RMSNorm(h))).
 * Attention is grouped-query (Ainslie et al. 2023): the reference's {@code repeat_kv} repeats each
 * key/value head {@code groups} times consecutively, so query head h reads key/value head h / groups; here
 * the query heads of a group are stacked along the sequence axis instead, which multiplies the same numbers
 * without copying the keys. Scores are q k^T / sqrt(head dim) plus an additive mask, softmax in float32,
 * times v. Keys and queries are rotated by {@link Rope} before the scores. The operations are few and in place
 * where the reference's are not (q and k rotated in one call, the scale applied to q, silu(gate) as
 * gate * sigmoid(gate) in place), since on a one-token decoding step each operation's fixed cost is a large
 * part of the time.
 */
final class DecoderLayer {

    private final LayerWeights w;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final NDArray scale;
    private final NDArray eps;

    /** The layer over {@code w}; two scalars (the score scale and the norms' epsilon) are made on the weights' manager. */
    DecoderLayer(LayerWeights w, LmConfig cfg) {
        this.w = w;
        this.heads = cfg.heads();
        this.kvHeads = cfg.kvHeads();
        this.headDim = cfg.headDim();
        NDManager owner = w.inputNorm().weight().getManager();
        this.scale = owner.create((float) (1.0 / Math.sqrt(headDim)));
        this.eps = owner.create(cfg.rmsNormEps());
    }

    /**
     * Runs the layer; temporaries are left to the caller's {@code NDScope}.
     *
     * @param x         {@code [B, T, D]} residual stream
     * @param cos       rotary table {@code [B, T, 1, hd]}
     * @param signedSin rotary table {@code [B, T, 1, hd]} of {@link Rope#signedTables}
     * @param mask      additive mask {@code [B, 1, 1, T, S]} (S = cached + T), or null when no score is masked
     * @param cache     the cache to extend, or null to attend within {@code x} only
     * @param index     this layer's index in the cache
     * @return {@code [B, T, D]}
     */
    NDArray forward(NDArray x, NDArray cos, NDArray signedSin, NDArray mask, KvCache cache, int index) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int groups = heads / kvHeads;
        long qWidth = (long) heads * headDim;
        NDArray h = w.inputNorm().apply(x, eps);
        // [B, T, H + 2 KV, hd]: q and k are rotated together, then split
        NDArray proj = w.qkv().apply(h).reshape(b, t, heads + 2L * kvHeads, headDim);
        NDList qkAndV = proj.split(new long[] {heads + kvHeads}, 2);
        NDList qk = Rope.rotate(qkAndV.get(0), cos, signedSin).split(new long[] {heads}, 2);
        NDArray q = qk.get(0);
        NDArray k = qk.get(1).transpose(0, 2, 1, 3); // [B, KV, T, hd]
        NDArray v = qkAndV.get(1).transpose(0, 2, 1, 3);
        if (cache != null) {
            NDList kv = cache.append(index, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        long keysLen = k.getShape().get(2);
        // [B, T, KV, groups, hd] -> [B, KV, groups * T, hd]: query head kv * groups + g sits in block g of its KV head.
        // The scale multiplies q rather than the scores (fewer numbers; the same floats when it is a power of two, as
        // 1/8 for head width 64)
        NDArray qg = q.reshape(b, t, kvHeads, groups, headDim).transpose(0, 2, 3, 1, 4).reshape(b, kvHeads, groups * t, headDim)
                .muli(scale);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).reshape(b, kvHeads, groups, t, keysLen);
        if (mask != null) {
            scores.addi(mask);
        }
        NDArray probs = scores.softmax(4).reshape(b, kvHeads, groups * t, keysLen);
        NDArray ctx = probs.matMul(v).reshape(b, kvHeads, groups, t, headDim).transpose(0, 3, 1, 2, 4).reshape(b, t, qWidth);
        NDArray mid = w.output().apply(ctx).addi(x);
        NDArray h2 = w.postAttnNorm().apply(mid, eps);
        NDList gateUp = w.gateUp().apply(h2).split(2, 2);
        NDArray gate = gateUp.get(0);
        NDArray act = Activation.sigmoid(gate).muli(gate).muli(gateUp.get(1)); // silu(gate) * up
        return w.down().apply(act).addi(mid);
    }
}
