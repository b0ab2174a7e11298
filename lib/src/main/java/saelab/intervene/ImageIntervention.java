package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import saelab.heads.HeadKind;
import saelab.heads.TaskHead;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.image.RgbImage;
import saelab.intervene.stats.RandomDirections;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.store.TokenLayout;

/**
 * One image, edited interactively: what notebooks, dashboards and {@code saelab intervene} call. {@link #open}
 * preprocesses the image, runs the tower up to the edit block once, caches that prefix in an {@link EditSession},
 * and computes the clean prediction; each {@link #apply} then costs only the edit, the blocks after the edit block
 * and the head, so that moving a slider does not decode, preprocess or re-run the prefix.
 *
 * <p>For {@code class:<id>} tokens the session needs per-patch labels: the caller's, or, for a segmentation head
 * when none are given, the clean prediction's mask (the patches the head assigns to the class before any edit;
 * {@link #labelsFromPrediction()} says which). Native memory: the prefix twice ({@code [1, T, D]}, the session's and
 * the clean copy for Δx), plus the session's caches; {@link #close} frees them. Not thread-safe.
 */
public final class ImageIntervention implements AutoCloseable {

    private final VisionTower tower;
    private final TaskHead head;
    private final int dSae;
    private final NDManager manager;
    /** The clean resid_post[block], [1, T, D] float32, for Δx. */
    private final NDArray clean;
    private final EditSession session;
    private final TokenLayout layout;
    private final int[] patchLabels;
    private final boolean labelsFromPrediction;
    private final Prediction before;
    private final Map<String, LatentMaxima> maxima = new HashMap<>();

    private ImageIntervention(VisionTower tower, Sae sae, int block, TaskHead head, NDArray residual, TokenLayout layout, int[] labels) {
        this.tower = tower;
        this.head = head;
        this.dSae = sae.config().dSae();
        this.layout = layout;
        this.manager = NDManager.newBaseManager(residual.getDevice());
        try {
            residual.attach(manager);
            this.clean = residual.toType(DataType.FLOAT32, true);
            try (NDManager scope = manager.newSubManager()) {
                NDArray copy = residual.duplicate();
                copy.attach(scope);
                VisionOutput out = tower.forwardFrom(block, copy, Set.of(), layout);
                this.before = predict(head.logits(out, scope));
            }
            this.labelsFromPrediction = labels == null && head.kind() == HeadKind.SEGMENT;
            this.patchLabels = labels != null ? labels.clone() : labelsFromPrediction ? before.mask().clone() : null;
            this.session = EditSession.ofResidual(tower, sae, block, residual.duplicate(), layout,
                    patchLabels == null ? null : new int[][] {patchLabels});
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Opens one image.
     *
     * @param tower       the vision tower (its device is the device of the work)
     * @param pre         the model's preprocessing
     * @param sae         the SAE reading resid_post[block], on the tower's device
     * @param block       the 0-based block whose output is edited
     * @param head        the task head read after the edit
     * @param image       the decoded image
     * @param patchLabels its ground-truth class per patch (raster order), or null
     * @param device      the device of the tower's weights
     * @throws IllegalArgumentException when the SAE's d_model is not the tower's width, the block is outside the tower,
     *                                  or the labels do not fit the patch grid
     */
    public static ImageIntervention open(VisionTower tower, Preprocessor pre, Sae sae, int block, TaskHead head, RgbImage image,
                                         int[] patchLabels, ai.djl.Device device) {
        EditSession.check(tower, sae, block);
        ResizeRule.Size size = pre.config().outputSize(image.width(), image.height());
        float[] px = pre.apply(image);
        try (NDManager nd = NDManager.newBaseManager(device)) {
            NDArray pixels = nd.create(px, new Shape(1, 3, size.height(), size.width()));
            if (pixels.getDataType() != tower.dtype()) {
                pixels = pixels.toType(tower.dtype(), false);
            }
            VisionOutput out = tower.forwardBlocks(pixels, Set.of(block));
            NDArray x = out.blocks().get(block);
            return ofResidual(tower, sae, block, head, x, out.layout(), patchLabels);
        }
    }

    /**
     * An intervention on a prefix computed elsewhere (an activation cache, a dashboard that already ran the image).
     *
     * @param residual resid_post[block] {@code [1, T, D]}; this takes ownership of it
     * @param layout   the image's token layout
     */
    public static ImageIntervention ofResidual(VisionTower tower, Sae sae, int block, TaskHead head, NDArray residual, TokenLayout layout,
                                               int[] patchLabels) {
        EditSession.check(tower, sae, block);
        Shape s = residual.getShape();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(1) != layout.tokens() || s.get(2) != tower.width()) {
            throw new IllegalArgumentException("the residual stream has shape " + s + "; expected [1, " + layout.tokens() + ", "
                    + tower.width() + "] (one image)");
        }
        if (patchLabels != null && patchLabels.length != layout.patches()) {
            throw new IllegalArgumentException("per-patch labels hold " + patchLabels.length + " entries; expected one per patch of the "
                    + layout.gridH() + " x " + layout.gridW() + " grid (" + layout.patches() + ")");
        }
        return new ImageIntervention(tower, sae, block, head, residual, layout, patchLabels);
    }

    /** The clean prediction, computed once by {@link #open}. */
    public Prediction clean() {
        return before;
    }

    /** The head's class names. */
    public List<String> classes() {
        return head.classes();
    }

    /** The image's token layout. */
    public TokenLayout layout() {
        return layout;
    }

    /** The 0-based block edited. */
    public int block() {
        return session.block();
    }

    /** The session holding the cached prefix (the same object for every {@link #apply}). */
    public EditSession session() {
        return session;
    }

    /** Whether {@code class:<id>} tokens select by the clean prediction's mask (no labels were given, segmentation head). */
    public boolean labelsFromPrediction() {
        return labelsFromPrediction;
    }

    /** {@link #apply(EditSpec, SpliceForm)} on the fast path ({@link SpliceForm#DELTA}). */
    public InterventionResult apply(EditSpec spec) throws IOException {
        return apply(spec, SpliceForm.DELTA);
    }

    /**
     * Applies an edit spec: resolves its unit (the maxima of its analysis folder, read once per folder), edits,
     * runs the rest of the tower and the head.
     *
     * @throws IllegalArgumentException for an edit of another block, a latent outside [0, d_sae), tokens the image lacks,
     *                                  or an analysis folder that is not one or was made with another SAE
     */
    public InterventionResult apply(EditSpec spec, SpliceForm form) throws IOException {
        LatentMaxima m = null;
        if (spec.unit() == ValueUnit.MAX) {
            m = maxima.get(spec.analysis());
            if (m == null) {
                m = LatentMaxima.read(Path.of(spec.analysis())).requireDSae(dSae);
                maxima.put(spec.analysis(), m);
            }
        }
        checkLatents(spec.latentIds());
        return apply(spec, spec.resolve(m), form);
    }

    /** Applies a resolved edit (a slider that sets amounts directly); the result's spec is null. */
    public InterventionResult apply(LatentEdit edit, SpliceForm form) {
        return apply(null, edit, form);
    }

    /**
     * The random-direction control of an edit already applied: the clean residual moved, on every token, by the real
     * edit's ‖Δx_t‖ along one uniformly random unit direction shared by the image's tokens (the protocol's random-direction
     * control, {@link RandomDirections} with {@link RandomDirections.Sharing#PER_IMAGE}), then the blocks after the edit
     * block and the head. Tokens the real edit left unchanged stay bit for bit. The result keeps the real edit's
     * {@code edit} and selection, with a null spec.
     *
     * @param real the result of {@link #apply} on this image
     * @param seed the seed of the direction
     * @throws IllegalArgumentException when {@code real} was computed on an image of another token layout
     */
    public InterventionResult applyRandomDirection(InterventionResult real, long seed) {
        if (real.deltaNorms().length != layout.tokens()) {
            throw new IllegalArgumentException("the edit result holds " + real.deltaNorms().length + " token norms; this image has "
                    + layout.tokens() + " tokens");
        }
        int d = Math.toIntExact(tower.width());
        float[] dx = RandomDirections.edit(real.deltaNorms(), d, RandomDirections.Sharing.PER_IMAGE, seed);
        try (NDManager scope = manager.newSubManager()) {
            clean.tempAttach(scope);
            NDArray moved = scope.create(dx, new Shape(1, layout.tokens(), d)).toDevice(clean.getDevice(), false).add(clean);
            float[] norms = moved.sub(clean).square().sum(new int[] {2}).sqrt().toFloatArray();
            NDArray x = moved.getDataType() == tower.dtype() ? moved : moved.toType(tower.dtype(), false);
            VisionOutput out = tower.forwardFrom(session.block(), x, Set.of(), layout);
            Prediction after = predict(head.logits(out, scope));
            return new InterventionResult(null, real.edit(), real.form(), session.block(), head.classes(), layout, before, after, norms,
                    real.edited().clone());
        }
    }

    private void checkLatents(int[] latents) {
        for (int l : latents) {
            if (l >= dSae) {
                throw new IllegalArgumentException("latent " + l + " is outside the SAE's d_sae=" + dSae + " latents (0-based 0.." + (dSae - 1)
                        + ")");
            }
        }
    }

    private InterventionResult apply(EditSpec spec, LatentEdit edit, SpliceForm form) {
        checkLatents(edit.latents());
        boolean[] selected = edit.tokens().mask(layout, patchLabels);
        try (NDManager scope = manager.newSubManager()) {
            NDArray edited = session.residual(edit, form, scope);
            NDArray x = edited.getDataType() == DataType.FLOAT32 ? edited : edited.toType(DataType.FLOAT32, false);
            clean.tempAttach(scope);
            float[] norms = x.sub(clean).square().sum(new int[] {2}).sqrt().toFloatArray();
            VisionOutput out = tower.forwardFrom(session.block(), edited, Set.of(), layout);
            Prediction after = predict(head.logits(out, scope));
            return new InterventionResult(spec, edit, form, session.block(), head.classes(), layout, before, after, norms, selected);
        }
    }

    private Prediction predict(NDArray logits) {
        float[] v = logits.getDataType() == DataType.FLOAT32 ? logits.toFloatArray() : logits.toType(DataType.FLOAT32, false).toFloatArray();
        return Prediction.of(head.kind(), head.classes().size(), v);
    }

    /** Frees the prefix and the session's caches. */
    @Override
    public void close() {
        try {
            session.close();
        } finally {
            manager.close();
        }
    }
}
