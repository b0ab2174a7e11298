package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;
import saelab.heads.Readout;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.store.TokenLayout;

/**
 * The spliced forward of SAE feature interventions, with the prefix cached: the activations x = resid_post[L]
 * (0-based block L) of a few images are computed once, then each edit costs only the edit, the blocks after L
 * ({@link VisionTower#forwardFrom}) and the task head, which is what a slider in a dashboard needs.
 *
 * <p><b>The splice.</b> As in the paper's intervention code (Stevens et al. 2025, "Sparse Autoencoders for
 * Scientifically Rigorous Interpretation of Vision Models", and SAELens' error term), an edited token is
 * <pre>  x' = x̂(f') + e,   e = x − x̂(f),   x̂(f) = f W_dec + b_dec,</pre>
 * where f = σ(enc(x)) are the token's codes and f' equals f except that each edited latent i has the edited value
 * vᵢ ({@link LatentEdit}). Because the decoder is affine, b_dec cancels and every untouched latent's term cancels:
 * <pre>  x' = x + (f' − f) W_dec = x + Σᵢ (vᵢ − fᵢ(x)) · W_dec[i]</pre>
 * exactly (the delta form, {@link SpliceForm#DELTA}). It needs fᵢ(x) for the edited latents only: for ReLU, JumpReLU
 * and BatchTopK at inference (one shared threshold) fᵢ depends only on latent i's pre-activation, so a
 * {@code [tokens, d_model] × [d_model, n_edit]} product suffices ({@link SaeSlice}); TopK (and BatchTopK before its
 * threshold is estimated) selects among all latents, so the full codes are computed once per image and cached with
 * the prefix. {@link SpliceForm#FULL} computes the left-hand side literally (encode, keep the error, overwrite,
 * decode, add the error), as the reference. With the error dropped ({@link ErrorPolicy#DROP}) an edited token becomes
 * x̂(f') = x̂(f) + Σᵢ (vᵢ − fᵢ) W_dec[i], with x̂(f) cached per image. Tokens not selected keep x bit for bit, so an edit
 * that leaves every code as it is (set to its own value, scale by 1, add 0) reproduces the plain forward bit for bit.
 *
 * <p><b>Input normalisation.</b> A checkpoint trained with {@code normalize_input} has its scale s folded in
 * (W_enc·s, W_dec/s, b_dec/s) and works on raw activations: its codes of x are the trained SAE's codes of s·x, and
 * Δf·W_dec = (Δf·W_dec⁰)/s is the edit made in the SAE's normalised space mapped back to raw units. The session
 * therefore edits raw activations with the checkpoint as saved; codes, values and the analysis maxima of
 * {@link LatentMaxima} are all in the SAE's own code units.
 *
 * <p>Each image's tokens are encoded as one batch (this matters only for BatchTopK before its threshold exists).
 * Memory: the prefix {@code [B, T, D]}, and for TopK or error {@code drop} the codes {@code [B·T, d_sae]} and the
 * reconstruction, float32. Every temporary of an edit lives in a sub-manager of the caller's manager; results live on
 * the caller's manager. The SAE and the tower must be on the same device. Not thread-safe (one edit at a time). The
 * splice itself (on the prefix as a {@code [B·T, D]} matrix) is {@link FeatureEdit}, which the vision-language edit
 * ({@link VlmFeatureEdit}) shares.
 */
public final class EditSession implements AutoCloseable {

    private final VisionTower tower;
    private final int block;
    private final TokenLayout layout;
    private final int images;
    private final int[][] patchLabels;
    private final NDManager manager;
    /** resid_post[block], [B, T, D] in the tower's dtype. */
    private final NDArray prefix;
    /** The splice on the prefix's rows [B·T, D] and its caches. */
    private final FeatureEdit features;

    private EditSession(VisionTower tower, Sae sae, int block, NDArray residual, TokenLayout layout, int[][] patchLabels) {
        this.tower = tower;
        this.block = block;
        this.layout = layout;
        this.images = Math.toIntExact(residual.getShape().get(0));
        this.patchLabels = patchLabels == null ? null : patchLabels.clone();
        this.manager = NDManager.newBaseManager(residual.getDevice());
        this.prefix = residual;
        prefix.attach(manager);
        this.features = new FeatureEdit(sae, prefix, images);
    }

    /**
     * Runs the tower up to {@code block} on {@code pixels} and caches its output.
     *
     * @param pixels      {@code [B, C, H, W]} normalised pixel values
     * @param block       the 0-based block whose output the SAE reads
     * @param patchLabels per image, its ground-truth class per patch (raster order), for {@code class:<id>} tokens; or null
     * @throws IllegalArgumentException when the SAE's d_model is not the tower's width, the block is outside the tower,
     *                                  or the labels do not fit the images
     */
    public static EditSession open(VisionTower tower, Sae sae, int block, NDArray pixels, int[][] patchLabels) {
        check(tower, sae, block);
        VisionOutput out = tower.forwardBlocks(pixels, Set.of(block));
        NDArray x = out.blocks().get(block);
        out.embeddings().close();
        return checked(new EditSession(tower, sae, block, x, out.layout(), patchLabels));
    }

    /**
     * A session on activations computed elsewhere (an activation cache, a benchmark).
     *
     * @param residual resid_post[block] {@code [B, T, D]}; the session takes ownership of it
     * @param layout   the token layout of the images
     */
    public static EditSession ofResidual(VisionTower tower, Sae sae, int block, NDArray residual, TokenLayout layout, int[][] patchLabels) {
        check(tower, sae, block);
        Shape s = residual.getShape();
        if (s.dimension() != 3 || s.get(1) != layout.tokens() || s.get(2) != tower.width()) {
            throw new IllegalArgumentException("the residual stream has shape " + Arrays.toString(s.getShape()) + "; expected [images, "
                    + layout.tokens() + ", " + tower.width() + "]");
        }
        return checked(new EditSession(tower, sae, block, residual, layout, patchLabels));
    }

    /** Refuses an SAE whose d_model is not the tower's width, or a block outside the tower (one sentence each). */
    static void check(VisionTower tower, Sae sae, int block) {
        if (sae.config().dModel() != tower.width()) {
            throw new IllegalArgumentException("the SAE reads d_model=" + sae.config().dModel() + " activations but the model's width is "
                    + tower.width());
        }
        if (block < 0 || block >= tower.depth()) {
            throw new IllegalArgumentException("block " + block + " is outside the model's " + tower.depth() + " blocks (0-based 0.."
                    + (tower.depth() - 1) + ")");
        }
    }

    private static EditSession checked(EditSession s) {
        if (s.patchLabels != null && s.patchLabels.length != s.images) {
            int n = s.patchLabels.length;
            s.close();
            throw new IllegalArgumentException("per-patch labels are given for " + n + " images; expected " + s.images);
        }
        return s;
    }

    /** The 0-based block whose output is edited. */
    public int block() {
        return block;
    }

    /** The images' token layout. */
    public TokenLayout layout() {
        return layout;
    }

    /** Images in the session. */
    public int images() {
        return images;
    }

    /** The tower's outputs without an edit (the clean forward from the cached prefix), on {@code nd}. */
    public VisionOutput clean(NDManager nd) {
        NDArray copy = prefix.duplicate();
        copy.attach(nd);
        return tower.forwardFrom(block, copy, Set.of(), layout);
    }

    /**
     * The current codes of {@code latents} on every token, {@code [B, T, n]} row-major, as the delta form uses them.
     *
     * @throws IllegalArgumentException for a latent outside [0, d_sae)
     */
    public float[] codes(int[] latents) {
        return features.codes(latents);
    }

    /**
     * The edited activations resid_post[block]' {@code [B, T, D]} (tower dtype), on {@code nd}.
     *
     * @throws IllegalArgumentException for an edit of another block, a latent outside [0, d_sae) or tokens the images lack
     */
    public NDArray residual(LatentEdit edit, SpliceForm form, NDManager nd) {
        if (edit.block() != null && edit.block() != block) {
            throw new IllegalArgumentException("the edit is for block " + edit.block() + " but this session caches block " + block
                    + "'s output");
        }
        features.checkLatents(edit.latents());
        boolean[] selected = tokenMask(edit.tokens());
        try (NDManager scope = nd.newSubManager()) {
            NDArray edited = features.apply(edit, selected, form, scope);
            NDArray out = edited.reshape(images, layout.tokens(), tower.width());
            if (out.getDataType() != prefix.getDataType()) {
                out = out.toType(prefix.getDataType(), false);
            }
            out.attach(nd);
            return out;
        }
    }

    /** The tower's outputs after {@code edit}, on {@code nd}. */
    public VisionOutput run(LatentEdit edit, SpliceForm form, NDManager nd) {
        return tower.forwardFrom(block, residual(edit, form, nd), Set.of(), layout);
    }

    /** The head's logits after {@code edit}, on {@code nd}. */
    public NDArray logits(LatentEdit edit, SpliceForm form, Readout head, NDManager nd) {
        return head.logits(run(edit, form, nd), nd);
    }

    /** 1 where the edit applies, per token of every image, [B·T]. */
    private boolean[] tokenMask(EditTokens tokens) {
        boolean[] m = new boolean[images * layout.tokens()];
        for (int b = 0; b < images; b++) {
            boolean[] one = tokens.mask(layout, patchLabels == null ? null : patchLabels[b]);
            System.arraycopy(one, 0, m, b * one.length, one.length);
        }
        return m;
    }

    /** Whether this SAE's edited codes come from the full encode cached per image (TopK, BatchTopK without threshold). */
    public boolean cachesFullCodes() {
        return features.cachesFullCodes();
    }

    /** Frees the prefix and the caches. */
    @Override
    public void close() {
        try {
            features.close();
        } finally {
            manager.close();
        }
    }
}
