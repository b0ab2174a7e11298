package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import saelab.sae.Sae;
import saelab.sae.SaeKind;
import saelab.sae.SaeSlice;

/**
 * The SAE splice on a matrix of token activations {@code [groups · tokens, d_model]}, whatever model they come from:
 * a vision tower's residual stream ({@link EditSession}) or a vision-language model's selected vision features
 * ({@link VlmFeatureEdit}). An edited token becomes
 * <pre>  x' = x̂(f') + e = x + Σᵢ (vᵢ − fᵢ(x)) · W_dec[i]</pre>
 * (the delta form, {@link SpliceForm#DELTA}; {@link SpliceForm#FULL} computes the left-hand side literally, as the
 * reference); with the error dropped ({@link ErrorPolicy#DROP}) it becomes x̂(f) + Σᵢ (vᵢ − fᵢ) W_dec[i]. See
 * {@link EditSession} for the algebra and why the delta form needs only the edited latents' codes for ReLU, JumpReLU
 * and BatchTopK with a threshold, and the full codes (computed once and cached) for TopK. Rows not selected keep x bit
 * for bit, so an edit that leaves every code as it is reproduces the input bit for bit.
 *
 * <p>Each group (an image) is encoded as one batch, which matters only for BatchTopK before its threshold exists. The
 * SAE must be on the activations' device. Memory: the rows as float32 (a view of the input when it is float32
 * already), and for TopK or error {@code drop} the codes {@code [rows, d_sae]} and the reconstruction. Not thread-safe.
 */
public final class FeatureEdit implements AutoCloseable {

    private final Sae sae;
    private final int groups;
    private final long width;
    private final NDManager manager;
    /** The activations as float32 rows [N, D], the SAE's input. */
    private final NDArray rows;
    /** Full codes [N, d_sae], computed once when needed. */
    private NDArray codes;
    /** Reconstructions [N, D] of the full codes, computed once when needed. */
    private NDArray reconstruction;
    /** The encoder and decoder rows of the latents edited last, on {@link #sliceManager}. */
    private SaeSlice slice;
    private NDManager sliceManager;

    /**
     * A splice over {@code activations}; the caller keeps ownership of its array (this holds a float32 view or copy).
     *
     * @param activations {@code [groups, tokens, d_model]} or {@code [groups · tokens, d_model]}, any float dtype
     * @param groups      how many images the rows hold (each encoded as one batch), at least 1 and dividing the rows
     * @throws IllegalArgumentException when the SAE's d_model is not the activations' width, or the groups do not divide the rows
     */
    public FeatureEdit(Sae sae, NDArray activations, int groups) {
        Shape s = activations.getShape();
        long d = s.get(s.dimension() - 1);
        if (sae.config().dModel() != d) {
            throw new IllegalArgumentException("the SAE reads d_model=" + sae.config().dModel() + " activations but the model's width is " + d);
        }
        long n = s.size() / Math.max(1, d);
        if (groups < 1 || n % groups != 0) {
            throw new IllegalArgumentException(n + " token rows cannot be split into " + groups + " images of equal length");
        }
        this.sae = sae;
        this.groups = groups;
        this.width = d;
        this.manager = NDManager.newBaseManager(activations.getDevice());
        NDArray flat = activations.reshape(-1, d);
        this.rows = flat.getDataType() == DataType.FLOAT32 ? flat : flat.toType(DataType.FLOAT32, false);
        if (rows != flat) {
            flat.close();
        }
        rows.attach(manager);
    }

    /** The token rows (groups times tokens per group). */
    public long rows() {
        return rows.getShape().get(0);
    }

    /** The width d_model. */
    public long width() {
        return width;
    }

    /**
     * The current codes of {@code latents} on every row, {@code [rows, n]} row-major, as the delta form uses them.
     *
     * @throws IllegalArgumentException for a latent outside [0, d_sae)
     */
    public float[] codes(int[] latents) {
        checkLatents(latents);
        try (NDManager scope = manager.newSubManager()) {
            rows.tempAttach(scope);
            return currentCodes(latents, scope).toFloatArray();
        }
    }

    /**
     * The edited rows.
     *
     * @param selected per row, whether the edit applies to it ({@link #rows()} flags)
     * @return {@code [rows, d_model]} float32 on {@code nd}
     * @throws IllegalArgumentException for a latent outside [0, d_sae) or a mask of the wrong length
     */
    public NDArray apply(LatentEdit edit, boolean[] selected, SpliceForm form, NDManager nd) {
        checkLatents(edit.latents());
        if (selected.length != rows()) {
            throw new IllegalArgumentException("the token mask has " + selected.length + " entries; expected one per token row (" + rows() + ")");
        }
        float[] maskValues = new float[selected.length];
        for (int i = 0; i < selected.length; i++) {
            maskValues[i] = selected[i] ? 1f : 0f;
        }
        try (NDManager scope = nd.newSubManager()) {
            NDArray mask = scope.create(maskValues, new Shape(maskValues.length, 1));
            NDArray chosen = mask.gt(0f);
            NDArray edited = form == SpliceForm.DELTA ? delta(edit, mask, chosen, scope) : full(edit, chosen, scope);
            edited.attach(nd);
            return edited;
        }
    }

    /** Refuses a latent outside [0, d_sae) in one sentence. */
    void checkLatents(int[] latents) {
        int dSae = sae.config().dSae();
        for (int l : latents) {
            if (l < 0 || l >= dSae) {
                throw new IllegalArgumentException("latent " + l + " is outside the SAE's d_sae=" + dSae + " latents (0-based 0.." + (dSae - 1)
                        + ")");
            }
        }
    }

    /** x + Σᵢ (vᵢ − fᵢ) W_dec[i] on the selected rows (x̂ + … for error drop), x elsewhere. */
    private NDArray delta(LatentEdit edit, NDArray mask, NDArray chosen, NDManager scope) {
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
        return where(chosen, base.add(shift), rows);
    }

    /** Encode every row, keep the error, overwrite the edited codes, decode, add the error (or not, for drop). */
    private NDArray full(LatentEdit edit, NDArray chosen, NDManager scope) {
        rows.tempAttach(scope);
        for (NDArray p : sae.params()) {
            p.tempAttach(scope); // so that arrays derived from the parameters (e.g. JumpReLU's θ = exp(log θ)) die with the scope
        }
        NDArray all = encodePerGroup(rows);
        NDArray recon = sae.decode(all);
        NDArray error = rows.sub(recon);
        NDArray ids = scope.create(Arrays.stream(edit.latents()).mapToLong(i -> i).toArray());
        NDArray f = all.get(new NDIndex(":, {}", ids));
        NDArray v = where(chosen, edit.editedCodes(f), f);
        NDArray columns = ids.reshape(1, -1).broadcast(all.getShape().get(0), ids.size());
        NDArray overwritten = all.scatter(columns, v, 1);
        NDArray editedRecon = sae.decode(overwritten);
        NDArray edited = edit.error() == ErrorPolicy.KEEP ? error.add(editedRecon) : editedRecon;
        return where(chosen, edited, rows);
    }

    /** {@code a} on the rows where {@code chosen} [N, 1] holds, else {@code b} (DJL's where does not broadcast). */
    private static NDArray where(NDArray chosen, NDArray a, NDArray b) {
        return NDArrays.where(chosen.broadcast(a.getShape()), a, b);
    }

    /** Codes [N, n] of {@code latents} on {@code scope}: from their encoder rows, or from the cached full codes. */
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
            NDArray all = encodePerGroup(rows);
            NDArray recon = sae.decode(all);
            all.attach(manager);
            recon.attach(manager);
            codes = all;
            reconstruction = recon;
        }
    }

    /** Codes [N, d_sae], each group's rows encoded as one batch. */
    private NDArray encodePerGroup(NDArray x) {
        if (groups == 1) {
            return sae.encode(x);
        }
        long t = rows() / groups;
        List<NDArray> parts = new ArrayList<>();
        for (int b = 0; b < groups; b++) {
            parts.add(sae.encode(x.get(new NDIndex(b * t + ":" + (b + 1) * t))));
        }
        return NDArrays.concat(new NDList(parts), 0);
    }

    /** Whether this SAE's edited codes come from the full encode cached per group (TopK, BatchTopK without threshold). */
    public boolean cachesFullCodes() {
        return sae.config().kind() == SaeKind.TOPK || (sae.config().kind() == SaeKind.BATCHTOPK && Float.isNaN(sae.threshold()[0]));
    }

    /** Frees the rows view and the caches (never the caller's activations). */
    @Override
    public void close() {
        manager.close();
    }
}
