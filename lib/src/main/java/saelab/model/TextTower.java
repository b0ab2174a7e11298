package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transformer text encoder of a contrastive image-text model: token + learned position
 * embeddings, pre-LN blocks (causal for CLIP and open_clip, bidirectional over the padding too for
 * SigLIP), final LayerNorm on every token, one pooled token ({@link TextPooling}), an optional
 * linear head on it (SigLIP's {@code text_model.head}) and an optional projection (CLIP's
 * {@code text_projection}). Radford et al. 2021 (CLIP), Zhai et al. 2023 (SigLIP).
 */
public final class TextTower {

    /** Which tokens a text token attends to. */
    public enum Attention {
        /** Position p attends to positions 0..p only (CLIP, open_clip). */
        CAUSAL,
        /** Every position attends to every position, the padding included (SigLIP). */
        BIDIRECTIONAL
    }

    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<TransformerBlock> blocks;
    private final NormWeights finalNorm;
    private final Attention attention;
    private final TextPooling pooling;
    private final LinearWeights poolHead;
    private final LinearWeights projection;
    private final long vocab;
    private final long context;

    /**
     * @param tokenEmbedding    {@code [V, D]}
     * @param positionEmbedding {@code [C, D]}, C the context length
     * @param blocks            the transformer blocks
     * @param finalNorm         final LayerNorm
     * @param attention         causal or bidirectional self-attention
     * @param pooling           which token is pooled
     * @param poolHead          linear map applied to the pooled token (SigLIP), or null
     * @param projection        text projection applied to the pooled output, or null (text_embeds = pooled)
     */
    public TextTower(NDArray tokenEmbedding, NDArray positionEmbedding, List<TransformerBlock> blocks, NormWeights finalNorm, Attention attention,
                     TextPooling pooling, LinearWeights poolHead, LinearWeights projection) {
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.blocks = List.copyOf(blocks);
        this.finalNorm = finalNorm;
        this.attention = attention;
        this.pooling = pooling;
        this.poolHead = poolHead;
        this.projection = projection;
        this.vocab = tokenEmbedding.getShape().get(0);
        this.context = positionEmbedding.getShape().get(0);
    }

    /** Number of blocks. */
    public int depth() {
        return blocks.size();
    }

    /** Maximum sequence length (rows of the position table). */
    public long contextLength() {
        return context;
    }

    /** The pooling rule. */
    public TextPooling pooling() {
        return pooling;
    }

    /** Forward pass of {@code ids} {@code [B][T]} on {@code manager}, recording no blocks. */
    public TextOutput forward(NDManager manager, long[][] ids) {
        return forward(manager, ids, Set.of());
    }

    /**
     * Forward pass.
     *
     * @param manager where the outputs are created (its device must be the weights' device)
     * @param ids     {@code [B][T]} token ids, all rows the same length T <= the context length
     * @param record  block indices (0-based) whose resid_post to return
     * @throws IllegalArgumentException for ragged rows, a too-long sequence, an id outside the vocabulary or a bad block index
     */
    public TextOutput forward(NDManager manager, long[][] ids, Set<Integer> record) {
        int b = ids.length;
        if (b == 0) {
            throw new IllegalArgumentException("input_ids is empty; expected [batch, tokens]");
        }
        int t = ids[0].length;
        long[] flat = new long[b * t];
        int[] pooledAt = new int[b];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("input_ids row " + i + " has " + ids[i].length + " tokens, row 0 has " + t
                        + "; pad the rows to one length");
            }
            for (int j = 0; j < t; j++) {
                if (ids[i][j] < 0 || ids[i][j] >= vocab) {
                    throw new IllegalArgumentException("input_ids[" + i + "][" + j + "] = " + ids[i][j] + " is outside the vocabulary [0, "
                            + vocab + ")");
                }
                flat[i * t + j] = ids[i][j];
            }
            pooledAt[i] = pooling.position(ids[i]);
        }
        if (t == 0 || t > context) {
            throw new IllegalArgumentException("input_ids has " + t + " tokens per row; expected 1 to " + context
                    + " (the context length)");
        }
        for (int l : record) {
            if (l < 0 || l >= blocks.size()) {
                throw new IllegalArgumentException("block " + l + " is outside [0, " + blocks.size() + ") for this " + blocks.size()
                        + "-block text tower");
            }
        }
        DataType dtype = tokenEmbedding.getDataType();
        long d = tokenEmbedding.getShape().get(1);
        NDArray x;
        NDArray mask = null;
        try (NDArray idArray = manager.create(flat, new Shape(b, t));
             NDArray tok = VisionTower.adopt(
                     idArray.getNDArrayInternal().embedding(idArray, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow(), manager);
             NDArray pos = positionEmbedding.get(new NDIndex(":{}, :", t))) {
            x = tok.add(pos);
        }
        if (attention == Attention.CAUSAL) {
            // additive mask: 0 on and below the diagonal, -inf above (query p sees keys 0..p)
            float[] m = new float[t * t];
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    m[i * t + j] = Float.NEGATIVE_INFINITY;
                }
            }
            try (NDArray m32 = manager.create(m, new Shape(t, t))) {
                mask = OwnedArrays.converted(m32, dtype); // m32's Java buffer is freed after the close
            }
        }
        NDArray embeddings = x;
        Map<Integer, NDArray> kept = new LinkedHashMap<>();
        for (int l = 0; l < blocks.size(); l++) {
            NDArray next = blocks.get(l).forward(x, mask);
            if (x != embeddings && !kept.containsValue(x)) {
                x.close();
            }
            x = next;
            if (record.contains(l)) {
                kept.put(l, x);
            }
        }
        if (mask != null) {
            mask.close();
        }
        NDArray last = finalNorm.apply(x);
        if (x != embeddings && !kept.containsValue(x)) {
            x.close();
        }
        long[] rows = new long[b];
        for (int i = 0; i < b; i++) {
            rows[i] = (long) i * t + pooledAt[i];
        }
        NDArray pooled;
        try (NDArray rowIdx = manager.create(rows); NDArray seq = last.reshape(b * (long) t, d)) {
            pooled = seq.getNDArrayInternal().embedding(rowIdx, seq, SparseFormat.DENSE).singletonOrThrow();
        }
        if (poolHead != null) {
            NDArray h = poolHead.apply(pooled);
            pooled.close();
            pooled = h;
        }
        NDArray embeds = projection == null ? pooled : VisionTower.adopt(projection.apply(pooled), manager);
        return new TextOutput(embeddings, Collections.unmodifiableMap(kept), last, VisionTower.adopt(pooled, manager), embeds, pooledAt);
    }
}
