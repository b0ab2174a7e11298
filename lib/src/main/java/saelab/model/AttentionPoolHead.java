package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * SigLIP's vision head (Zhai et al. 2023; Hugging Face {@code SiglipVisionTransformer} and
 * {@code SiglipMultiheadAttentionPoolingHead}): {@code post_layernorm} on every token gives the
 * sequence; then multi-head attention pooling (MAP, Lee et al. 2019) with one learned probe as the
 * query and the normed tokens as keys and values ({@code nn.MultiheadAttention}, fused in_proj),
 * then r + MLP(LN(r)); pooled = that single token. SigLIP has no separate projection, so the image
 * embedding is the pooled output.
 *
 * @param postNorm {@code post_layernorm}
 * @param probe    {@code [1, 1, D]}
 * @param query    rows 0..D-1 of {@code in_proj}, with the 1/sqrt(hd) scale folded in
 * @param keyValue rows D..3D-1 of {@code in_proj} (keys, then values)
 * @param out      {@code out_proj}
 * @param norm     the head's LayerNorm
 * @param fc1      the head's first MLP layer
 * @param fc2      the head's second MLP layer
 * @param act      MLP activation
 * @param heads    attention heads
 */
public record AttentionPoolHead(NormWeights postNorm, NDArray probe, LinearWeights query, LinearWeights keyValue, LinearWeights out,
                                NormWeights norm, LinearWeights fc1, LinearWeights fc2, ActivationFn act, int heads) implements VisionHead {

    @Override
    public Output apply(NDArray x) {
        NDArray last = postNorm.apply(x);
        NDArray pooled;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Shape s = last.getShape();
            long b = s.get(0);
            long t = s.get(1);
            long d = s.get(2);
            long hd = d / heads;
            NDArray q = query.apply(probe).reshape(1, heads, 1, hd); // same query for every image
            NDArray kv = keyValue.apply(last).reshape(b, t, 2, heads, hd).transpose(2, 0, 3, 1, 4); // [2, B, H, T, hd]
            NDArray k = kv.get(0);
            NDArray v = kv.get(1);
            NDArray probs = TransformerBlock.softmax(q.matMul(k.transpose(0, 1, 3, 2))); // [B, H, 1, T]
            NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, 1, d);
            NDArray r = out.apply(ctx);
            NDArray m = fc2.apply(act.apply(fc1.apply(norm.apply(r))));
            pooled = m.addi(r).get(new NDIndex(":, 0, :"));
            NDScope.unregister(pooled);
        }
        return new Output(last, pooled, pooled);
    }

    @Override
    public NDArray normAll(NDArray x) {
        return postNorm.apply(x);
    }
}
