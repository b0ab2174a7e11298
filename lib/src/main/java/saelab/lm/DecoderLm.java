package saelab.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import saelab.model.Checkpoint;
import saelab.model.LinearWeights;

/**
 * A decoder-only language model in the layout of transformers 4.45.2 {@code LlamaForCausalLM}
 * ({@code modeling_llama}) and {@code Qwen2ForCausalLM} ({@code modeling_qwen2}): token embedding,
 * {@link DecoderLayer}s with rotary embeddings and grouped-query attention, a final {@link RmsNorm} and a
 * linear output head (possibly tied to the embedding). It runs on DJL's PyTorch engine in float32.
 *
 * <p>The forward takes embeddings, not ids, so that a vision-language model can merge image features
 * into the prompt first ({@link ImageTokenMerge}); {@link #embed} gives the token embeddings. With a
 * {@link KvCache} a forward appends its keys and values, so a prompt is run once (prefill) and then one
 * token per step ({@link Generation}).
 */
public final class DecoderLm implements AutoCloseable {

    /** What a forward keeps. */
    public enum Keep {
        /** Every block's residual stream, the final norm and the logits of every position. */
        EVERY_BLOCK,
        /** The logits of every position. */
        LOGITS,
        /** The logits of the last position only (a generation step; saves the head's product over the prompt). */
        LAST_LOGITS
    }

    private final LmConfig config;
    private final NDManager manager;
    private final LmWeights weights;
    private final List<DecoderLayer> layers;
    private final Rope rope;
    private final LinearWeights head;

    private DecoderLm(LmConfig config, NDManager manager, LmWeights weights) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
        List<DecoderLayer> ls = new ArrayList<>();
        for (LayerWeights w : weights.layers()) {
            ls.add(new DecoderLayer(w, config));
        }
        this.layers = List.copyOf(ls);
        this.rope = new Rope(config.headDim(), config.ropeTheta());
        this.head = new LinearWeights(weights.head(), null);
    }

    /**
     * Loads a Hugging Face causal-LM folder: {@code config.json} ({@code model_type} "llama" or "qwen2") and
     * {@code model.safetensors} or the shards of {@code model.safetensors.index.json}, tensors {@code model.*} and
     * {@code lm_head.weight}.
     *
     * @throws IllegalArgumentException for an unknown {@code model_type}, a missing weights file or tensor, naming the file
     * @throws IOException              when a file cannot be read
     */
    public static DecoderLm load(Path folder) throws IOException {
        LmConfig cfg = LmConfig.read(folder.resolve("config.json"));
        Path single = folder.resolve("model.safetensors");
        Path index = folder.resolve("model.safetensors.index.json");
        if (!Files.exists(single) && !Files.exists(index)) {
            throw new IllegalArgumentException(folder + ": no model.safetensors or model.safetensors.index.json beside config.json");
        }
        try (Checkpoint ckpt = Files.exists(single) ? Checkpoint.single(single) : Checkpoint.sharded(index)) {
            return fromCheckpoint(cfg, ckpt, "model.", "lm_head.weight");
        }
    }

    /**
     * Builds the model from a checkpoint that may hold other parts too (a LLaVA checkpoint:
     * {@code modelPrefix} "language_model.model.", {@code headName} "language_model.lm_head.weight"). The weights
     * are copied into the model's memory; the checkpoint may be closed afterwards.
     *
     * @throws IllegalArgumentException when a tensor is missing or has another shape, naming the file and the tensor
     */
    public static DecoderLm fromCheckpoint(LmConfig config, Checkpoint ckpt, String modelPrefix, String headName) {
        NDManager manager = NDManager.newBaseManager();
        try {
            return new DecoderLm(config, manager, LmWeights.read(ckpt, modelPrefix, headName, config, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model over weights already made (e.g. random weights of a given shape for a benchmark); the model
     * takes {@code owner}, the manager holding the weights, and closes it with itself.
     */
    public static DecoderLm fromWeights(LmConfig config, LmWeights weights, NDManager owner) {
        return new DecoderLm(config, owner, weights);
    }

    /** The configuration. */
    public LmConfig config() {
        return config;
    }

    /** The token embedding {@code [V, D]}, owned by the model (do not close it). */
    public NDArray tokenEmbedding() {
        return weights.embedTokens();
    }

    /** The device the weights live on. */
    public Device device() {
        return manager.getDevice();
    }

    /** A new, empty cache for step-by-step decoding, made under {@code parent}. */
    public KvCache newCache(NDManager parent) {
        return new KvCache(layers.size(), parent);
    }

    /**
     * The token embeddings of {@code ids}.
     *
     * @param ids {@code [B, T]} token ids
     * @return {@code [B, T, D]} float32 on {@code ids}' manager
     * @throws IllegalArgumentException when an id is outside the vocabulary
     */
    public NDArray embed(NDArray ids) {
        long[][] rows = PaddedBatch.rows(ids, "input_ids");
        for (int b = 0; b < rows.length; b++) {
            for (int j = 0; j < rows[b].length; j++) {
                if (rows[b][j] < 0 || rows[b][j] >= config.vocabSize()) {
                    throw new IllegalArgumentException("input_ids[" + b + "][" + j + "] = " + rows[b][j] + " is outside the vocabulary [0, "
                            + config.vocabSize() + ") of " + config.source());
                }
            }
        }
        NDManager out = ids.getManager();
        NDArray e;
        try (NDArray i64 = ids.toType(DataType.INT64, true); NDArray onDevice = i64.toDevice(manager.getDevice(), true)) {
            e = onDevice.getNDArrayInternal().embedding(onDevice, weights.embedTokens(), SparseFormat.DENSE).singletonOrThrow();
        }
        e.attach(out);
        return e;
    }

    /**
     * Runs the decoder on {@code inputsEmbeds}, positions from the attention mask ({@link PaddedBatch#positionIds}),
     * no cache; keeps every block.
     *
     * @param attentionMask {@code [B, T]} int64 of 0 (pad) and 1, or null for no padding
     */
    public LmOutput forward(NDArray inputsEmbeds, NDArray attentionMask) {
        long[][] mask = attentionMask == null ? null : PaddedBatch.rows(attentionMask, "attention_mask");
        return forward(inputsEmbeds, mask, null, null, Keep.EVERY_BLOCK);
    }

    /**
     * Runs the decoder.
     *
     * @param inputsEmbeds  {@code [B, T, D]} (token embeddings, image features already merged)
     * @param attentionMask {@code [B][past + T]} of 0 (pad) and 1 over the cached and the new positions, or null for no padding
     * @param positionIds   {@code [B][T]} positions of the new tokens, or null for the last T columns of
     *                      {@link PaddedBatch#positionIds}(attentionMask)
     * @param cache         extended with this forward's keys and values, or null
     * @param keep          what to return
     * @return outputs on {@code inputsEmbeds}' manager
     * @throws IllegalArgumentException for inconsistent shapes, or an input longer than {@code max_position_embeddings}
     */
    public LmOutput forward(NDArray inputsEmbeds, long[][] attentionMask, long[][] positionIds, KvCache cache, Keep keep) {
        Shape s = inputsEmbeds.getShape();
        if (s.dimension() != 3 || s.get(2) != config.hiddenSize() || s.get(0) == 0 || s.get(1) == 0) {
            throw new IllegalArgumentException("inputs_embeds has shape " + s + "; expected [batch, tokens, " + config.hiddenSize()
                    + "] for " + config.source());
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long past = cache == null ? 0 : cache.length();
        if (past + t > config.maxPositions()) {
            throw new IllegalArgumentException("the input has " + (past + t) + " positions (" + past + " cached + " + t
                    + " new), more than max_position_embeddings " + config.maxPositions() + " of " + config.source());
        }
        if (attentionMask == null) {
            attentionMask = ones(b, (int) (past + t));
        }
        if (attentionMask.length != b || attentionMask[0].length != past + t) {
            throw new IllegalArgumentException("attention_mask has " + attentionMask.length + " rows of " + attentionMask[0].length
                    + "; expected " + b + " rows of " + (past + t) + " (" + past + " cached + " + t + " new positions)");
        }
        PaddedBatch.requireBinary(attentionMask, "attention_mask");
        long[][] pos = positionIds != null ? positionIds : lastColumns(PaddedBatch.positionIds(attentionMask), t);
        if (pos.length != b || pos[0].length != t) {
            throw new IllegalArgumentException("position_ids has " + pos.length + " rows of " + pos[0].length + "; expected " + b
                    + " rows of " + t);
        }
        NDManager out = inputsEmbeds.getManager();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList tables = rope.signedTables(pos, out);
            // one new token without padding sees every key: adding a mask of zeros would change nothing
            NDArray mask = t == 1 && allOnes(attentionMask) ? null : PaddedBatch.additiveMask(attentionMask, past, t, out);
            List<NDArray> blocks = new ArrayList<>();
            NDArray x = inputsEmbeds;
            for (int l = 0; l < layers.size(); l++) {
                // each layer's temporaries are freed when it ends, not with the forward's scope: a long prompt's
                // temporaries over every layer would otherwise be gigabytes of fresh (page-faulted) memory
                NDArray next;
                try (NDScope layerScope = new NDScope()) {
                    layerScope.suppressNotUsedWarning();
                    next = layers.get(l).forward(x, tables.get(0), tables.get(1), mask, cache, l);
                    NDScope.unregister(next);
                }
                NDScope.register(next);
                if (keep == Keep.EVERY_BLOCK) {
                    blocks.add(next);
                } else if (x != inputsEmbeds) {
                    NDScope.unregister(x);
                    x.close();
                }
                x = next;
            }
            NDArray last = keep == Keep.LAST_LOGITS ? x.get(new NDIndex(":, -1:, :")) : x;
            NDArray normed = weights.finalNorm().apply(last);
            NDArray logits = head.apply(normed);
            NDScope.unregister(logits);
            if (keep == Keep.EVERY_BLOCK) {
                blocks.forEach(NDScope::unregister);
                NDScope.unregister(normed);
                return new LmOutput(Collections.unmodifiableList(blocks), normed, logits);
            }
            return new LmOutput(List.of(), null, logits);
        }
    }

    private static boolean allOnes(long[][] mask) {
        for (long[] row : mask) {
            for (long m : row) {
                if (m != 1) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long[][] ones(int rows, int columns) {
        long[][] m = new long[rows][columns];
        for (long[] row : m) {
            Arrays.fill(row, 1);
        }
        return m;
    }

    private static long[][] lastColumns(long[][] a, int t) {
        long[][] r = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            r[i] = Arrays.copyOfRange(a[i], a[i].length - t, a[i].length);
        }
        return r;
    }

    @Override
    public void close() {
        manager.close();
    }
}
