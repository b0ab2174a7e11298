package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import saelab.heads.Readout;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.sae.SaeKind;
import saelab.sae.SaeSlice;
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
 * the caller's manager. The SAE and the tower must be on the same device. Not thread-safe (one edit at a time).
 */
public final class EditSession implements AutoCloseable {

    private final VisionTower tower;
    private final Sae sae;
    private final int block;
    private final TokenLayout layout;
    private final int images;
    private final int[][] patchLabels;
    private final NDManager manager;
    /** resid_post[block], [B, T, D] in the tower's dtype. */
    private final NDArray prefix;
    /** The prefix as float32 rows [B·T, D], the SAE's input. */
    private final NDArray rows;
    /** Full codes [B·T, d_sae], computed once when needed. */
    private NDArray codes;
    /** Reconstructions [B·T, D] of the full codes, computed once when needed. */
    private NDArray reconstruction;
    /** The encoder and decoder rows of the latents edited last, on {@link #sliceManager}. */
    private SaeSlice slice;
    private NDManager sliceManager;

    private EditSession(VisionTower tower, Sae sae, int block, NDArray residual, TokenLayout layout, int[][] patchLabels) {
        this.tower = tower;
        this.sae = sae;
        this.block = block;
        this.layout = layout;
        this.images = Math.toIntExact(residual.getShape().get(0));
        this.patchLabels = patchLabels == null ? null : patchLabels.clone();
        this.manager = NDManager.newBaseManager(residual.getDevice());
        this.prefix = residual;
        prefix.attach(manager);
        NDArray flat = prefix.reshape(-1, tower.width());
        this.rows = flat.getDataType() == DataType.FLOAT32 ? flat : flat.toType(DataType.FLOAT32, false);
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
        try (NDManager scope = manager.newSubManager()) {
            rows.tempAttach(scope);
            return currentCodes(latents, scope).toFloatArray();
        }
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
        int dSae = sae.config().dSae();
        for (int l : edit.latents()) {
            if (l < 0 || l >= dSae) {
                throw new IllegalArgumentException("latent " + l + " is outside the SAE's d_sae=" + dSae + " latents (0-based 0.." + (dSae - 1)
                        + ")");
            }
        }
        float[] maskValues = tokenMask(edit.tokens());
        try (NDManager scope = nd.newSubManager()) {
            NDArray mask = scope.create(maskValues, new Shape(maskValues.length, 1));
            NDArray selected = mask.gt(0f);
            NDArray edited = form == SpliceForm.DELTA ? delta(edit, mask, selected, scope) : full(edit, mask, selected, scope);
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

    /** x + Σᵢ (vᵢ − fᵢ) W_dec[i] on the selected tokens (x̂ + … for error drop), x elsewhere. */
    private NDArray delta(LatentEdit edit, NDArray mask, NDArray selected, NDManager scope) {
        rows.tempAttach(scope);
        NDArray f = currentCodes(edit.latents(), scope);
        NDArray v = edit.editedCodes(f);
        NDArray coefficients = v.sub(f).mul(mask);
        NDArray shift = coefficients.matMul(slice.decoderRows());
        NDArray base = rows;
        if (edit.error() == ErrorPolicy.DROP) {
            ensureCodes();
            base = reconstruction;
            base.tempAttach(scope);
        }
        return where(selected, base.add(shift), rows);
    }

    /** Encode every token, keep the error, overwrite the edited codes, decode, add the error (or not, for drop). */
    private NDArray full(LatentEdit edit, NDArray mask, NDArray selected, NDManager scope) {
        rows.tempAttach(scope);
        for (NDArray p : sae.params()) {
            p.tempAttach(scope); // so that arrays derived from the parameters (e.g. JumpReLU's θ = exp(log θ)) die with the scope
        }
        NDArray all = encodePerImage(rows);
        NDArray recon = sae.decode(all);
        NDArray error = rows.sub(recon);
        NDArray ids = scope.create(Arrays.stream(edit.latents()).mapToLong(i -> i).toArray());
        NDArray f = all.get(new NDIndex(":, {}", ids));
        NDArray v = where(selected, edit.editedCodes(f), f);
        NDArray columns = ids.reshape(1, -1).broadcast(all.getShape().get(0), ids.size());
        NDArray overwritten = all.scatter(columns, v, 1);
        NDArray editedRecon = sae.decode(overwritten);
        NDArray edited = edit.error() == ErrorPolicy.KEEP ? error.add(editedRecon) : editedRecon;
        return where(selected, edited, rows);
    }

    /** {@code a} on the rows where {@code selected} [N, 1] holds, else {@code b} (DJL's where does not broadcast). */
    private static NDArray where(NDArray selected, NDArray a, NDArray b) {
        return NDArrays.where(selected.broadcast(a.getShape()), a, b);
    }

    /** Codes [B·T, n] of {@code latents} on the scope of {@code rows}: from their encoder rows, or from the cached full codes. */
    private NDArray currentCodes(int[] latents, NDManager scope) {
        if (slice == null || !Arrays.equals(slice.latents(), latents)) {
            NDManager old = slice == null ? null : sliceManager;
            sliceManager = manager.newSubManager();
            slice = sae.slice(latents, sliceManager);
            if (old != null) {
                old.close();
            }
        }
        if (slice.perLatentCodes()) {
            return slice.codes(rows);
        }
        ensureCodes();
        NDArray ids = scope.create(Arrays.stream(latents).mapToLong(i -> i).toArray());
        codes.tempAttach(scope);
        return codes.get(new NDIndex(":, {}", ids));
    }

    /** Computes the full codes and reconstruction once (TopK, error drop). */
    private void ensureCodes() {
        if (codes != null) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            rows.tempAttach(scope);
            for (NDArray p : sae.params()) {
                p.tempAttach(scope);
            }
            NDArray all = encodePerImage(rows);
            NDArray recon = sae.decode(all);
            all.attach(manager);
            recon.attach(manager);
            codes = all;
            reconstruction = recon;
        }
    }

    /** Codes [B·T, d_sae], each image's tokens encoded as one batch. */
    private NDArray encodePerImage(NDArray x) {
        if (images == 1) {
            return sae.encode(x);
        }
        long t = layout.tokens();
        List<NDArray> parts = new ArrayList<>();
        for (int b = 0; b < images; b++) {
            parts.add(sae.encode(x.get(new NDIndex(b * t + ":" + (b + 1) * t))));
        }
        return NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
    }

    /** 1 where the edit applies, per token of every image, [B·T]. */
    private float[] tokenMask(EditTokens tokens) {
        float[] m = new float[images * layout.tokens()];
        for (int b = 0; b < images; b++) {
            boolean[] one = tokens.mask(layout, patchLabels == null ? null : patchLabels[b]);
            for (int t = 0; t < one.length; t++) {
                m[b * one.length + t] = one[t] ? 1f : 0f;
            }
        }
        return m;
    }

    /** Whether this SAE's edited codes come from the full encode cached per image (TopK, BatchTopK without threshold). */
    public boolean cachesFullCodes() {
        return sae.config().kind() == SaeKind.TOPK || (sae.config().kind() == SaeKind.BATCHTOPK && Float.isNaN(sae.threshold()[0]));
    }

    /** Frees the prefix and the caches. */
    @Override
    public void close() {
        manager.close();
    }
}
