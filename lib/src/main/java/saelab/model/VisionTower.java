package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.store.TokenLayout;
import java.util.Set;

/**
 * A ViT image encoder with hooks: patch embedding, optional class token, learned positions
 * (resampled for other grids), optional register tokens (Darcet et al. 2024), optional pre-norm,
 * pre-LN blocks and a family-specific {@link VisionHead}. One class serves DINOv2 (Oquab et al.
 * 2024), CLIP (Radford et al. 2021), SigLIP (Zhai et al. 2023) and open_clip/BioCLIP (Stevens et
 * al. 2024); the loaders in this package set it up from a checkpoint.
 *
 * <p>{@link #forward} records resid_post[l] for the requested blocks (0-based). {@link #forwardFrom}
 * continues from a (possibly edited) resid_post[L] with blocks L+1.. and the head: the same code
 * on the same arrays, so unchanged activations give bit-identical outputs.
 */
public final class VisionTower {

    private final PatchEmbedding patches;
    private final NDArray classToken;
    private final NDArray registerTokens;
    private final PositionTable positions;
    private final NormWeights preNorm;
    private final List<TransformerBlock> blocks;
    private final VisionHead head;
    private final DataType dtype;
    private final long width;

    /**
     * @param patches        patch embedding
     * @param classToken     {@code [D]} class token, or null (SigLIP)
     * @param registerTokens {@code [R, D]} register tokens, or null
     * @param positions      position table (with a class row when there is a class token)
     * @param preNorm        LayerNorm applied to the embedded sequence (CLIP's {@code pre_layrnorm}, open_clip's {@code ln_pre}), or null
     * @param blocks         the transformer blocks
     * @param head           final norm, pooling and projection, or null (then only {@link #forwardBlocks} runs)
     * @param dtype          the compute dtype of the weights
     */
    public VisionTower(PatchEmbedding patches, NDArray classToken, NDArray registerTokens, PositionTable positions, NormWeights preNorm,
                       List<TransformerBlock> blocks, VisionHead head, DataType dtype) {
        this.patches = patches;
        this.classToken = classToken;
        this.registerTokens = registerTokens;
        this.positions = positions;
        this.preNorm = preNorm;
        this.blocks = List.copyOf(blocks);
        this.head = head;
        this.dtype = dtype;
        this.width = this.blocks.isEmpty() ? 0 : this.blocks.getFirst().width();
    }

    /** Number of blocks. */
    public int depth() {
        return blocks.size();
    }

    /** Model width D. */
    public long width() {
        return width;
    }

    /** Patch size in pixels. */
    public int patchSize() {
        return patches.patchSize();
    }

    /** The trained position grid side (e.g. 37 for DINOv2 at 518 px). */
    public int trainedGrid() {
        return positions.side();
    }

    /** The compute dtype. */
    public DataType dtype() {
        return dtype;
    }

    /** The position-table resampling variant in use. */
    public PosInterpolation posInterpolation() {
        return positions.mode();
    }

    /** The family's head, or null for a tower loaded without it ({@link ModelLoader#visionTower}). */
    public VisionHead head() {
        return head;
    }

    /** The token layout for an image of {@code height x width} pixels. */
    public TokenLayout layout(int height, int width) {
        int reg = registerTokens == null ? 0 : Math.toIntExact(registerTokens.getShape().get(0));
        return new TokenLayout(classToken != null, reg, height / patchSize(), width / patchSize());
    }

    /**
     * The position rows added for an image of {@code height x width} pixels,
     * {@code [1, (class ? 1 : 0) + gridH * gridW, D]}, owned by the tower (do not close).
     */
    public NDArray positionEmbeddings(int height, int width) {
        TokenLayout l = layout(height, width);
        return positions.forGrid(l.gridH(), l.gridW(), height, width);
    }

    /** Forward pass recording no blocks. */
    public VisionOutput forward(NDArray pixels) {
        return forward(pixels, Set.of());
    }

    /**
     * Forward pass.
     *
     * @param pixels {@code [B, C, H, W]} normalised pixel values (converted to the tower's dtype and device)
     * @param record block indices (0-based) whose resid_post to return
     * @throws IllegalArgumentException for a bad shape or a block index outside [0, depth)
     */
    public VisionOutput forward(NDArray pixels, Set<Integer> record) {
        checkBlocks(record, 0);
        Shape s = pixels.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("pixel_values has shape " + Arrays.toString(s.getShape())
                    + "; expected [batch, channels, height, width]");
        }
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        TokenLayout layout = layout(h, w);
        NDArray x = embed(pixels, layout, h, w);
        return run(-1, x, record, layout, x);
    }

    /**
     * Forward pass that stops after the last block in {@code record}: no later blocks, final norm or
     * head (what activation capture needs; capturing block 10 of 12 skips two blocks and the head).
     * The recorded blocks are computed by the same kernels in the same order as in {@link #forward},
     * so they are bit-identical to its; {@code lastHiddenState}, {@code pooled} and
     * {@code imageEmbeds} of the output are null.
     *
     * @throws IllegalArgumentException for a bad shape, an empty {@code record} or a block outside [0, depth)
     */
    public VisionOutput forwardBlocks(NDArray pixels, Set<Integer> record) {
        if (record.isEmpty()) {
            throw new IllegalArgumentException("forwardBlocks needs at least one block to record");
        }
        checkBlocks(record, 0);
        Shape s = pixels.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("pixel_values has shape " + Arrays.toString(s.getShape())
                    + "; expected [batch, channels, height, width]");
        }
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        TokenLayout layout = layout(h, w);
        NDArray embeddings = embed(pixels, layout, h, w);
        int last = java.util.Collections.max(record);
        Map<Integer, NDArray> kept = new LinkedHashMap<>();
        NDArray x = embeddings;
        for (int l = 0; l <= last; l++) {
            NDArray next = blocks.get(l).forward(x, null);
            if (x != embeddings && !kept.containsValue(x)) {
                x.close();
            }
            x = next;
            if (record.contains(l)) {
                kept.put(l, adopt(x, embeddings.getManager()));
            }
        }
        return new VisionOutput(embeddings, kept, null, null, null, layout);
    }

    /**
     * Spliced forward: continues from resid_post[{@code layer}] (or from resid_pre[0] when
     * {@code layer} is -1) with blocks {@code layer+1 ..}, then the head, exactly as {@link #forward}
     * does. The output's {@code embeddings} is null.
     *
     * @param layer  0-based block whose output {@code resid} replaces, or -1 for the embeddings
     * @param resid  {@code [B, T, D]} the (edited) residual stream; not modified
     * @param record blocks after {@code layer} whose resid_post to return
     * @param layout the token layout of the input (from {@link #layout} or the plain forward)
     */
    public VisionOutput forwardFrom(int layer, NDArray resid, Set<Integer> record, TokenLayout layout) {
        if (layer < -1 || layer >= blocks.size()) {
            throw new IllegalArgumentException("splice layer " + layer + " is outside [-1, " + blocks.size() + ")");
        }
        checkBlocks(record, layer + 1);
        Shape s = resid.getShape();
        if (s.dimension() != 3 || s.get(1) != layout.tokens() || s.get(2) != width) {
            throw new IllegalArgumentException("residual stream has shape " + Arrays.toString(s.getShape()) + "; expected [batch, "
                    + layout.tokens() + ", " + width + "]");
        }
        NDArray start = resid.getDataType() == dtype ? resid : resid.toType(dtype, false); // e.g. a float32 edit of a float16 run
        return run(layer, start, record, layout, null);
    }

    /** {@link #forwardFrom(int, NDArray, Set, TokenLayout)} for a square patch grid, recording no blocks. */
    public VisionOutput forwardFrom(int layer, NDArray resid) {
        int reg = registerTokens == null ? 0 : Math.toIntExact(registerTokens.getShape().get(0));
        long patchTokens = resid.getShape().get(1) - (classToken != null ? 1 : 0) - reg;
        int side = (int) Math.round(Math.sqrt(patchTokens));
        if ((long) side * side != patchTokens) {
            throw new IllegalArgumentException("cannot infer the patch grid from " + resid.getShape().get(1)
                    + " tokens; pass the TokenLayout of the original forward");
        }
        return forwardFrom(layer, resid, Set.of(), layout(side * patchSize(), side * patchSize()));
    }

    private void checkBlocks(Set<Integer> record, int from) {
        for (int l : record) {
            if (l < from || l >= blocks.size()) {
                throw new IllegalArgumentException("block " + l + " is outside [" + from + ", " + blocks.size() + ") for this "
                        + blocks.size() + "-block tower");
            }
        }
    }

    /** resid_pre[0]: [B, T, D], on the manager of {@code pixels}. */
    private NDArray embed(NDArray pixels, TokenLayout layout, int h, int w) {
        NDManager mgr = pixels.getManager();
        List<NDArray> temps = new ArrayList<>();
        try {
            NDArray input = pixels;
            if (!pixels.getDevice().equals(positions.device())) {
                input = pixels.toDevice(positions.device(), false);
                temps.add(input);
            }
            if (input.getDataType() != dtype) {
                input = input.toType(dtype, false);
                temps.add(input);
            }
            NDArray x = patches.apply(input);
            temps.add(x);
            long b = x.getShape().get(0);
            if (classToken != null) {
                NDArray cls = adopt(classToken.reshape(1, 1, width).broadcast(b, 1, width), mgr);
                temps.add(cls);
                x = NDArrays.concat(new NDList(cls, x), 1);
                temps.add(x);
            }
            x = x.add(positions.forGrid(layout.gridH(), layout.gridW(), h, w));
            temps.add(x);
            if (registerTokens != null) {
                long r = registerTokens.getShape().get(0);
                NDArray first = x.get(new NDIndex(":, :1, :"));
                temps.add(first);
                NDArray regs = adopt(registerTokens.reshape(1, r, width).broadcast(b, r, width), mgr);
                temps.add(regs);
                NDArray rest = x.get(new NDIndex(":, 1:, :"));
                temps.add(rest);
                x = NDArrays.concat(new NDList(first, regs, rest), 1);
                temps.add(x);
            }
            if (preNorm != null) {
                x = preNorm.apply(x);
                temps.add(x);
            }
            NDArray result = x;
            temps.removeIf(a -> a == result);
            return adopt(result, mgr);
        } finally {
            temps.forEach(NDArray::close);
        }
    }

    /** Moves {@code a} to {@code mgr} when an op left it on the weights' manager. */
    static NDArray adopt(NDArray a, NDManager mgr) {
        if (a != null && a.getManager() != mgr) {
            a.attach(mgr);
        }
        return a;
    }

    /** Blocks after {@code layer}, then the head; {@code embeddings} is returned as the output's embeddings. */
    private VisionOutput run(int layer, NDArray start, Set<Integer> record, TokenLayout layout, NDArray embeddings) {
        if (head == null) {
            throw new IllegalStateException("this vision tower was loaded without its head (a vision-language model's tower, read for"
                    + " its hidden states); run forwardBlocks instead");
        }
        Map<Integer, NDArray> kept = new LinkedHashMap<>();
        NDArray x = start;
        for (int l = layer + 1; l < blocks.size(); l++) {
            NDArray next = blocks.get(l).forward(x, null);
            if (x != start && !kept.containsValue(x)) {
                x.close();
            }
            x = next;
            if (record.contains(l)) {
                kept.put(l, x);
            }
        }
        VisionHead.Output out = head.apply(x);
        NDManager mgr = start.getManager();
        adopt(out.lastHiddenState(), mgr);
        adopt(out.pooled(), mgr);
        adopt(out.embeds(), mgr);
        if (x != start && !kept.containsValue(x) && x != out.lastHiddenState()) {
            x.close();
        }
        return new VisionOutput(embeddings, Collections.unmodifiableMap(kept), out.lastHiddenState(), out.pooled(), out.embeds(), layout);
    }
}
