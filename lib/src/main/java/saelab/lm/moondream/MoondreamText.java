package saelab.lm.moondream;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import saelab.model.ActivationFn;
import saelab.model.Checkpoint;

/**
 * moondream2's text decoder, {@code text_decoder}, {@code attn} and {@code lm_head} of the reference
 * {@code moondream/torch/text.py} (github.com/vikhyat/moondream at 44146f1), a Phi-style model on DJL's
 * PyTorch engine in float32, batch 1 as the reference:
 * <ul>
 *   <li>each block is parallel with ONE LayerNorm: h = ln(x); x = x + proj(attn(h)) + fc2(gelu_tanh(fc1(h)));</li>
 *   <li>attention: fused qkv with bias split into H query and KV key/value heads of width 64 (grouped-query
 *       when KV &lt; H: query head h reads key/value head h / (H / KV), as {@code enable_gqa}); the first 32
 *       dimensions of q and k rotated by {@link PartialRope}; softmax(q k^T / sqrt(hd)) v;</li>
 *   <li>the mask: the first {@link #prefixLength()} positions (bos and the 729 image tokens) attend to each
 *       other in both directions, every later position causally to everything before it and itself;</li>
 *   <li>the head: {@code post_ln} (LayerNorm) then {@code lm_head} (with bias, untied from {@code wte}).</li>
 * </ul>
 * A forward runs on embeddings at the positions after those already in its {@link MoondreamKvCache} and
 * appends its keys and values there: the image prefix, then the prompt, then one token per step.
 */
public final class MoondreamText implements AutoCloseable {

    private final MoondreamTextConfig config;
    private final MoondreamTextWeights weights;
    private final PartialRope rope;
    private final NDManager manager;
    private final int prefixLength;
    private final float scale;

    /**
     * A decoder over {@code weights}; it takes {@code owner} (the manager holding them) and closes it with itself.
     *
     * @param prefixLength the bidirectional prefix: 1 + the image tokens (the reference computes 1 + (crop / patch)^2 = 730)
     */
    public MoondreamText(MoondreamTextConfig config, MoondreamTextWeights weights, int prefixLength, NDManager owner) {
        this.config = config;
        this.weights = weights;
        this.manager = owner;
        this.prefixLength = prefixLength;
        this.rope = new PartialRope(PartialRope.ROT_DIM, PartialRope.THETA, config.maxContext(), owner);
        this.scale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /**
     * Reads the text weights ({@code model.text.*}) of {@code ckpt} onto {@code device}.
     *
     * @throws IllegalArgumentException for a missing tensor or a wrong shape, naming the file and the tensor
     */
    public static MoondreamText load(MoondreamConfig config, Checkpoint ckpt, Device device) {
        NDManager owner = NDManager.newBaseManager(device);
        try {
            MoondreamTextWeights w = MoondreamTextWeights.read(config.text(), ckpt, owner);
            return new MoondreamText(config.text(), w, 1 + config.vision().patchesPerCrop(), owner);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    /** The configuration. */
    public MoondreamTextConfig config() {
        return config;
    }

    /** The weights (owned by the model). */
    public MoondreamTextWeights weights() {
        return weights;
    }

    /** Length of the bidirectional prefix (bos + image tokens). */
    public int prefixLength() {
        return prefixLength;
    }

    /** The device the weights live on. */
    public Device device() {
        return manager.getDevice();
    }

    /** An empty cache of {@code capacity} positions (at most the context) under {@code parent}. */
    public MoondreamKvCache newCache(int capacity, NDManager parent) {
        if (capacity > config.maxContext()) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions is longer than the context of " + config.maxContext());
        }
        return new MoondreamKvCache(config.nLayers(), config.nKvHeads(), config.headDim(), capacity, parent);
    }

    /**
     * The token embeddings {@code wte[ids]}.
     *
     * @return {@code [1, T, D]} float32 on {@code out}
     * @throws IllegalArgumentException when an id is outside the vocabulary
     */
    public NDArray embed(long[] ids, NDManager out) {
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] < 0 || ids[j] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[j] + " at index " + j + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        NDArray e;
        try (NDArray idx = manager.create(ids, new Shape(1, ids.length))) {
            e = idx.getNDArrayInternal().embedding(idx, weights.wte(), SparseFormat.DENSE).singletonOrThrow();
        }
        e.attach(out);
        return e;
    }

    /**
     * The residual stream after the decoder blocks.
     *
     * @param hidden {@code [1, T, D]} after the last block
     * @param blocks {@code [1, T, D]} after each block, or empty when not kept
     */
    public record Output(NDArray hidden, List<NDArray> blocks) {}

    /**
     * Runs the blocks on {@code inputsEmbeds} at positions {@code cache.length()} onward, appending their
     * keys and values to {@code cache}.
     *
     * @param inputsEmbeds {@code [1, T, D]}
     * @param keepBlocks   whether to return every block's output
     * @return arrays on {@code inputsEmbeds}' manager
     * @throws IllegalArgumentException for another shape, or positions past the cache's capacity
     */
    public Output forward(NDArray inputsEmbeds, MoondreamKvCache cache, boolean keepBlocks) {
        Shape s = inputsEmbeds.getShape();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(1) < 1 || s.get(2) != config.dim()) {
            throw new IllegalArgumentException("inputs_embeds has shape " + Arrays.toString(s.getShape()) + "; expected [1, tokens, "
                    + config.dim() + "]");
        }
        int t = (int) s.get(1);
        int past = cache.length();
        if (past + t > cache.capacity()) {
            throw new IllegalArgumentException(past + " cached + " + t + " new positions do not fit the KV cache of " + cache.capacity()
                    + " positions (the context is " + config.maxContext() + ")");
        }
        NDManager out = inputsEmbeds.getManager();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray mask = mask(past, t, out);
            List<NDArray> kept = new ArrayList<>();
            NDArray x = inputsEmbeds;
            for (int l = 0; l < weights.blocks().size(); l++) {
                x = block(weights.blocks().get(l), x, mask, cache, l, past);
                if (keepBlocks) {
                    kept.add(x);
                }
            }
            NDScope.unregister(x);
            kept.forEach(NDScope::unregister);
            return new Output(x, keepBlocks ? Collections.unmodifiableList(kept) : List.of());
        }
    }

    /**
     * The logits of the last position: {@code lm_head(post_ln(hidden[:, -1]))}.
     *
     * @param hidden {@code [1, T, D]}
     * @return {@code [1, V]} on {@code hidden}'s manager
     */
    public NDArray lastLogits(NDArray hidden) {
        try (NDArray last = hidden.get(new NDIndex(":, -1, :")); NDArray normed = weights.postLn().apply(last)) {
            return weights.lmHead().apply(normed);
        }
    }

    /**
     * The additive mask {@code [T, past + T]} (0 allowed, -inf not), or null when every key is allowed (the
     * image prefix, a single step): query position p sees key s when s &lt;= p, or both lie in the prefix.
     */
    private NDArray mask(int past, int t, NDManager out) {
        int keys = past + t;
        float[] m = new float[t * keys];
        boolean any = false;
        for (int i = 0; i < t; i++) {
            int p = past + i;
            for (int k = p + 1; k < keys; k++) {
                if (!(p < prefixLength && k < prefixLength)) {
                    m[i * keys + k] = Float.NEGATIVE_INFINITY;
                    any = true;
                }
            }
        }
        return any ? out.create(m, new Shape(t, keys)) : null;
    }

    /** One parallel block; temporaries are left to the caller's scope. */
    private NDArray block(MoondreamTextWeights.Block w, NDArray x, NDArray mask, MoondreamKvCache cache, int index, int past) {
        long t = x.getShape().get(1);
        int heads = config.nHeads();
        int kvHeads = config.nKvHeads();
        int hd = config.headDim();
        int groups = heads / kvHeads;
        NDArray h = w.ln().apply(x);
        NDList qkv = w.qkv().apply(h).split(new long[] {(long) heads * hd, (long) (heads + kvHeads) * hd}, 2);
        NDArray q = rope.apply(qkv.get(0).reshape(1, t, heads, hd).transpose(0, 2, 1, 3), past); // [1, H, T, hd]
        NDArray k = rope.apply(qkv.get(1).reshape(1, t, kvHeads, hd).transpose(0, 2, 1, 3), past); // [1, KV, T, hd]
        NDArray v = qkv.get(2).reshape(1, t, kvHeads, hd).transpose(0, 2, 1, 3);
        NDList kv = cache.append(index, k, v);
        long keys = kv.get(0).getShape().get(2);
        // [1, H, T, hd] -> [1, KV, groups * T, hd]: query head kv * groups + g is block g of its key/value head
        NDArray scores = q.reshape(1, kvHeads, (long) groups * t, hd).matMul(kv.get(0).transpose(0, 1, 3, 2)).muli(scale);
        if (mask != null) {
            scores = scores.reshape(1, kvHeads, groups, t, keys).addi(mask).reshape(1, kvHeads, (long) groups * t, keys);
        }
        NDArray ctx = scores.softmax(3).matMul(kv.get(1)).reshape(1, heads, t, hd).transpose(0, 2, 1, 3).reshape(1, t, (long) heads * hd);
        NDArray attn = w.proj().apply(ctx);
        NDArray mlp = w.fc2().apply(ActivationFn.GELU_TANH.apply(w.fc1().apply(h)));
        return x.add(attn).addi(mlp);
    }

    /** Frees the weights and the rotary tables. */
    @Override
    public void close() {
        rope.close();
        manager.close();
    }
}
