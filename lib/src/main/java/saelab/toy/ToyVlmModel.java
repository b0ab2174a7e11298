package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import saelab.lm.Rope;
import saelab.model.ActivationFn;

/**
 * The trainable part of the toy VLM under training, in the layout of transformers 4.45.2
 * {@code LlavaForConditionalGeneration} with a Llama decoder, parameters keyed by their checkpoint names: the
 * projector {@code multi_modal_projector.linear_2(gelu(linear_1(x)))} (exact, erf GELU) and a Llama decoder
 * {@code language_model.model.*} (token embedding; per layer RMSNorm, grouped-query attention with rotary
 * embeddings in the rotate-half convention, RMSNorm, SwiGLU {@code down(silu(gate(x)) * up(x))}; final RMSNorm;
 * untied {@code language_model.lm_head}; no biases in the decoder). The frozen vision tower is not here: its
 * selected features are an input.
 *
 * <p>The forward is written with the differentiable {@link ToyOps} (nothing in place, scalars through
 * {@link ToyOps#scalar}); positions are {@code 0..T-1} (right padding only, which a causal mask makes harmless).
 * Token embeddings are one-hot rows times the table, as {@link ToyClipModel}'s text side: exactly the lookup, with
 * a dense, deterministic gradient. Call it inside an {@link ai.djl.ndarray.NDScope}.
 */
final class ToyVlmModel implements AutoCloseable {

    static final String PROJECTOR = "multi_modal_projector.";
    static final String DECODER = "language_model.model.";
    static final String HEAD = "language_model.lm_head.weight";

    private final ToyVlmArchitecture arch;
    private final ToyParameters params;
    private final Rope rope;

    /** Defines and initialises the parameters (truncated normal at {@link ToyParameters#initStd} of the decoder width, norms at one). */
    ToyVlmModel(ToyVlmArchitecture arch, NDManager manager, long seed) {
        this.arch = arch;
        this.params = new ToyParameters(manager, seed, ToyParameters.initStd(arch.width()));
        this.rope = new Rope(arch.headDim(), ToyVlmArchitecture.ROPE_THETA);
        long d = arch.width();
        long hd = arch.headDim();
        params.weight(PROJECTOR + "linear_1.weight", d, arch.visionWidth());
        params.bias(PROJECTOR + "linear_1.bias", d);
        params.weight(PROJECTOR + "linear_2.weight", d, d);
        params.bias(PROJECTOR + "linear_2.bias", d);
        params.embedding(DECODER + "embed_tokens.weight", arch.vocabSize(), d);
        for (int i = 0; i < arch.layers(); i++) {
            String p = DECODER + "layers." + i + ".";
            rmsNorm(p + "input_layernorm.weight", d);
            params.weight(p + "self_attn.q_proj.weight", arch.heads() * hd, d);
            params.weight(p + "self_attn.k_proj.weight", arch.kvHeads() * hd, d);
            params.weight(p + "self_attn.v_proj.weight", arch.kvHeads() * hd, d);
            params.weight(p + "self_attn.o_proj.weight", d, arch.heads() * hd);
            rmsNorm(p + "post_attention_layernorm.weight", d);
            params.weight(p + "mlp.gate_proj.weight", arch.intermediate(), d);
            params.weight(p + "mlp.up_proj.weight", arch.intermediate(), d);
            params.weight(p + "mlp.down_proj.weight", d, arch.intermediate());
        }
        rmsNorm(DECODER + "norm.weight", d);
        params.weight(HEAD, arch.vocabSize(), d);
    }

    private void rmsNorm(String name, long d) {
        params.add(name, new long[] {d}, ToyParameters.Init.ONES, 0, WeightDecay.EXEMPT);
    }

    ToyVlmArchitecture architecture() {
        return arch;
    }

    /** The trainable parameters: exactly the non-vision tensors of {@code model.safetensors}. */
    ToyParameters parameters() {
        return params;
    }

    /**
     * The projector.
     *
     * @param selected {@code [B, N, D_vision]} the vision tower's selected features
     * @return {@code [B, N, D]}
     */
    NDArray project(NDArray selected) {
        NDArray h = ToyOps.linear(selected, params.get(PROJECTOR + "linear_1.weight"), params.get(PROJECTOR + "linear_1.bias"));
        return ToyOps.linear(ToyOps.activation(ActivationFn.GELU, h), params.get(PROJECTOR + "linear_2.weight"),
                params.get(PROJECTOR + "linear_2.bias"));
    }

    /**
     * The last decoder layer's output (before the final norm).
     *
     * @param selected {@code [B, N, D_vision]}: row b's features fill row b's N image tokens
     * @return {@code [B, T, D]}
     * @throws IllegalArgumentException when a row's image tokens are not the N positions from {@code imageAt}, or an id is
     *                                  outside the vocabulary
     */
    NDArray hidden(NDArray selected, ToyVlmBatch batch, long imageTokenId) {
        NDManager m = selected.getManager();
        int b = batch.size();
        int t = batch.length();
        int n = arch.imageTokens();
        int at = batch.imageAt();
        int text = t - n;
        int vocab = arch.vocabSize();
        float[] onehot = new float[b * text * vocab];
        for (int r = 0; r < b; r++) {
            long[] row = batch.ids()[r];
            for (int j = 0, k = 0; j < t; j++) {
                boolean image = j >= at && j < at + n;
                if ((row[j] == imageTokenId) != image) {
                    throw new IllegalArgumentException("toy VLM batch row " + r + " position " + j + ": expected the " + n
                            + " image tokens at positions [" + at + ", " + (at + n) + ") and nowhere else");
                }
                if (!image) {
                    if (row[j] < 0 || row[j] >= vocab) {
                        throw new IllegalArgumentException("toy VLM batch row " + r + ": token id " + row[j] + " is outside the vocabulary [0, "
                                + vocab + ")");
                    }
                    onehot[(r * text + k++) * vocab + (int) row[j]] = 1f;
                }
            }
        }
        long d = arch.width();
        NDArray emb = m.create(onehot, new Shape((long) b * text, vocab)).matMul(params.get(DECODER + "embed_tokens.weight"))
                .reshape(b, text, d);
        NDArray x = NDArrays.concat(new NDList(emb.get(new NDIndex(":, :{}, :", at)), project(selected), emb.get(new NDIndex(":, {}:, :", at))), 1);
        long[][] positions = new long[1][t];
        for (int j = 0; j < t; j++) {
            positions[0][j] = j;
        }
        NDList tables = rope.tables(positions, m, DataType.FLOAT32); // [1, T, 1, hd] each
        NDArray mask = ToyClipModel.causalMask(m, t);
        for (int i = 0; i < arch.layers(); i++) {
            x = layer(DECODER + "layers." + i + ".", x, tables.get(0), tables.get(1), mask);
        }
        return x;
    }

    /** The logits of every position, {@code [B, T, V]}. */
    NDArray logits(NDArray selected, ToyVlmBatch batch, long imageTokenId) {
        return ToyOps.linear(rmsNorm(hidden(selected, batch, imageTokenId), params.get(DECODER + "norm.weight")), params.get(HEAD), null);
    }

    /**
     * The next-token cross-entropy on the answer tokens only (each answer token and the closing {@code </s>} predicted
     * from the position before it), averaged per question and then over the batch, so that a long caption weighs as
     * much as a one-word answer.
     *
     * @return a scalar
     */
    NDArray loss(NDArray selected, ToyVlmBatch batch, long imageTokenId) {
        NDManager m = selected.getManager();
        int b = batch.size();
        int t = batch.length();
        int vocab = arch.vocabSize();
        int rows = 0;
        for (int r = 0; r < b; r++) {
            rows += batch.answerTo()[r] - batch.answerFrom()[r];
        }
        float[] select = new float[rows * b * t];
        float[] target = new float[rows * vocab];
        int k = 0;
        for (int r = 0; r < b; r++) {
            int from = batch.answerFrom()[r];
            int to = batch.answerTo()[r];
            float weight = 1f / ((to - from) * b);
            for (int p = from; p < to; p++, k++) {
                select[k * b * t + r * t + p - 1] = 1f;
                target[k * vocab + (int) batch.ids()[r][p]] = weight;
            }
        }
        NDArray h = hidden(selected, batch, imageTokenId).reshape((long) b * t, arch.width());
        NDArray picked = m.create(select, new Shape(rows, (long) b * t)).matMul(h);
        NDArray logits = ToyOps.linear(rmsNorm(picked, params.get(DECODER + "norm.weight")), params.get(HEAD), null);
        return m.create(target, new Shape(rows, vocab)).mul(logits.logSoftmax(-1)).sum().neg();
    }

    /** One Llama decoder layer. */
    private NDArray layer(String p, NDArray x, NDArray cos, NDArray sin, NDArray mask) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = arch.heads();
        int kv = arch.kvHeads();
        int groups = heads / kv;
        long hd = arch.headDim();
        NDArray h = rmsNorm(x, params.get(p + "input_layernorm.weight"));
        NDArray q = rotate(ToyOps.linear(h, params.get(p + "self_attn.q_proj.weight"), null).reshape(b, t, heads, hd), cos, sin);
        NDArray k = rotate(ToyOps.linear(h, params.get(p + "self_attn.k_proj.weight"), null).reshape(b, t, kv, hd), cos, sin)
                .transpose(0, 2, 1, 3); // [B, KV, T, hd]
        NDArray v = ToyOps.linear(h, params.get(p + "self_attn.v_proj.weight"), null).reshape(b, t, kv, hd).transpose(0, 2, 1, 3);
        // query head kv * groups + g reads key/value head kv (transformers' repeat_kv)
        NDArray qg = q.reshape(b, t, kv, groups, hd).transpose(0, 2, 3, 1, 4).reshape(b, kv, groups * t, hd);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).mul(ToyOps.scalar(qg, (float) (1.0 / Math.sqrt(hd))))
                .reshape(b, kv, groups, t, t).add(mask);
        NDArray probs = scores.softmax(-1).reshape(b, kv, groups * t, t);
        NDArray ctx = probs.matMul(v).reshape(b, kv, groups, t, hd).transpose(0, 3, 1, 2, 4).reshape(b, t, heads * hd);
        NDArray mid = x.add(ToyOps.linear(ctx, params.get(p + "self_attn.o_proj.weight"), null));
        NDArray h2 = rmsNorm(mid, params.get(p + "post_attention_layernorm.weight"));
        NDArray gate = ToyOps.linear(h2, params.get(p + "mlp.gate_proj.weight"), null);
        NDArray up = ToyOps.linear(h2, params.get(p + "mlp.up_proj.weight"), null);
        NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up); // silu(gate) * up
        return mid.add(ToyOps.linear(act, params.get(p + "mlp.down_proj.weight"), null));
    }

    /** RMSNorm over the last axis: {@code x / sqrt(mean(x^2) + eps) * w}. */
    private static NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(ToyOps.scalar(ms, (float) ToyVlmArchitecture.RMS_NORM_EPS)).sqrt()).mul(w);
    }

    /** Rotary embedding, rotate-half convention: {@code x cos + [-x2, x1] sin} on {@code [B, T, heads, hd]}. */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        return x.mul(cos).add(NDArrays.concat(new NDList(x2.neg(), x1), 3).mul(sin));
    }

    @Override
    public void close() {
        params.close();
    }
}
