package saelab.intervene;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import saelab.analysis.AnalysisResult;
import saelab.heads.HeadKind;
import saelab.heads.TaskHead;
import saelab.intervene.stats.ClassMeanDifference;
import saelab.intervene.stats.ClassificationEffects;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.SegmentationEffects;
import saelab.intervene.stats.DoseGrid;
import saelab.intervene.stats.FrequencyMatchedLatents;
import saelab.io.Progress;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * The quantitative intervention protocol ({@code saelab control}): over a held-out image set, per class, the edit of the
 * latent chosen for the class on the training split (the frozen rule of {@link ConceptChoice}) against controls that
 * edit the same tokens with the same dose rule ({@link ControlSlots}), measured on a task head; then the statistics
 * and files of {@link ProtocolReport}. The protocol follows the control experiments of Stevens et al. 2025 ("Sparse
 * Autoencoders for Scientifically Rigorous Interpretation of Vision Models") with the controls, faithfulness checks,
 * dose-response and paired statistics they lack.
 *
 * <p><b>Per image</b> one forward pass of the clean model records the edit block's output (the prefix) and gives the
 * clean prediction; the prefix is cached in an {@link EditSession} and reused for every class, condition and dose, so
 * each of those costs only the edit, the blocks after the edit block and the head, all conditions of a class in one
 * batch. Faithfulness ({@link SpliceFaithfulness}) is measured on the same prefix before any edit.
 *
 * <p><b>Dose rule.</b> Segmentation: ablate (set to 0) the latent on the patches of truth c in the images with c; in
 * the images without c the edit touches every patch and measures collateral change. Classification: ablate on every
 * patch of every image; images labelled c are the target, the others the off-target. Dose-response: the same tokens,
 * operation {@code set} to each dose of the grid × the latent's maximum ({@link LatentMaxima}); controls at the same
 * dose (a random latent × its own maximum; directions at the real edit's norm at that dose). Not thread-safe.
 */
public final class ControlProtocol {

    /** The task the head performs. */
    public enum Task { SEGMENT, CLASSIFY }

    /**
     * What to run.
     *
     * @param task      segmentation or classification
     * @param classes   the classes, in order (each needs a chosen latent)
     * @param slots     the controls and their draws
     * @param doses     the dose grid, or null for no dose-response
     * @param seed      seed of the control draws and the bootstrap
     * @param bootstrap B, bootstrap replicates
     * @param tolerance frequency matching tolerance, in decades
     */
    public record Options(Task task, List<Integer> classes, ControlSlots slots, DoseGrid doses, long seed, int bootstrap, double tolerance) {
        public Options {
            classes = List.copyOf(classes);
            if (classes.isEmpty()) {
                throw new IllegalArgumentException("--classes selects no class; expected at least one class with a chosen latent");
            }
            new ClusterBootstrap.Options(bootstrap, 0.95, seed); // refuse a bad replicate count before the run, not after it
        }
    }

    /**
     * What it runs on.
     *
     * @param tower    the model
     * @param sae      the SAE reading the block's output
     * @param block    the 0-based edit block
     * @param head     the task head (its classes are the dataset's)
     * @param images   the held-out images
     * @param concepts the per-class latent choice
     * @param analysis the analysis (frequencies for matching; maxima for doses)
     * @param means    the class-mean directions, or null when that control is off
     * @param device   the device of the tower
     * @param saeTokens the tokens the SAE was trained on (its reconstruction is spliced in there only for the
     *                  faithfulness figures: a patch SAE does not reconstruct the CLS token), or null for every token
     * @param excluded  latents the random-latent control never draws (e.g. the classes' concept latents), empty for none
     */
    public record Inputs(VisionTower tower, Sae sae, int block, TaskHead head, ProtocolImages images, ConceptChoice concepts,
                         AnalysisResult analysis, ClassMeanDifference means, Device device, TokenKind saeTokens, int[] excluded) {

        public Inputs {
            excluded = excluded.clone();
            java.util.Arrays.sort(excluded);
        }

        /** Inputs whose random-latent control may draw any latent. */
        public Inputs(VisionTower tower, Sae sae, int block, TaskHead head, ProtocolImages images, ConceptChoice concepts,
                      AnalysisResult analysis, ClassMeanDifference means, Device device, TokenKind saeTokens) {
            this(tower, sae, block, head, images, concepts, analysis, means, device, saeTokens, new int[0]);
        }

        @Override
        public int[] excluded() {
            return excluded.clone();
        }

        boolean isExcluded(int latent) {
            return java.util.Arrays.binarySearch(excluded, latent) >= 0;
        }
    }

    /**
     * A finished run's data.
     *
     * @param options    what ran
     * @param names      the class names, per selected class
     * @param latents    the chosen latent per selected class
     * @param random     the frequency-matched latents per selected class
     * @param tally      the per-image counts
     * @param dose       the dose-response counts, or null
     * @param faith      the faithfulness figures
     * @param used       images measured
     * @param skipped    images that could not be used, with the reason
     */
    public record Result(Options options, List<String> names, int[] latents, int[][] random, ProtocolTally tally, DoseResponse dose,
                         SpliceFaithfulness faith, int used, List<String> skipped) {}

    private ControlProtocol() {}

    /**
     * Runs the protocol.
     *
     * @throws IllegalArgumentException for a class without a chosen latent or outside the head, a head for another task,
     *                                  or too few frequency-matched latents
     * @throws IllegalStateException    when the no-edit splice does not reproduce the clean model (a bug)
     */
    public static Result run(Inputs in, Options o, PrintStream log) {
        boolean seg = o.task() == Task.SEGMENT;
        if (seg != (in.head().kind() == HeadKind.SEGMENT)) {
            throw new IllegalArgumentException("the head is a " + in.head().kind().id() + " head; control " + (seg ? "segment" : "classify")
                    + " needs a " + (seg ? "segmentation" : "classification or zero-shot") + " head");
        }
        int nClasses = in.head().classes().size();
        if (nClasses != in.images().classes().size()) { // a classification label indexes the head's classes as a patch label does
            throw new IllegalArgumentException("the head predicts " + nClasses + " classes but the dataset has " + in.images().classes().size()
                    + "; expected a head trained on this dataset's labels");
        }
        LatentMaxima maxima = LatentMaxima.of(in.analysis(), "the analysis folder").requireDSae(in.sae().config().dSae());
        int n = o.classes().size();
        int[] latents = new int[n];
        int[][] random = new int[n][];
        List<String> names = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            int c = o.classes().get(j);
            if (c < 0 || c >= nClasses) {
                throw new IllegalArgumentException("class " + c + " is not among the head's " + nClasses + " classes (0.." + (nClasses - 1) + ")");
            }
            latents[j] = in.concepts().latent(c);
            names.add(in.head().classes().get(c));
            random[j] = o.slots().randomLatents() == 0 ? new int[0]
                    : FrequencyMatchedLatents.draw(in.analysis(), latents[j], o.tolerance(), o.slots().randomLatents(), o.seed() + c,
                    in::isExcluded);
        }
        ProtocolImages images = in.images();
        ProtocolTally tally = new ProtocolTally(n, images.size(), o.slots().size(), seg);
        DoseResponse dose = o.doses() == null ? null : new DoseResponse(o.classes(), o.doses(), o.slots(), images.size());
        SpliceFaithfulness faith = new SpliceFaithfulness(nClasses, seg ? images.ignoreLabel() : -1);
        List<String> skipped = new ArrayList<>();
        Progress progress = new Progress("control " + (seg ? "segment" : "classify"), "images", images.size(), log, 2000);
        int used = 0;
        for (int i = 0; i < images.size(); i++) {
            ProtocolImages.Image img = images.load(i);
            if (img.pixels() == null || (!seg && img.label() < 0)) {
                skipped.add(img.path() + ": " + (img.problem() == null ? "no image label" : img.problem()));
                progress.advance(1);
                continue;
            }
            new ImageRun(in, o, maxima, tally, dose, faith, latents, random).measure(used, img, seg);
            used++;
            progress.advance(1);
        }
        progress.finish();
        if (used == 0) {
            throw new IllegalArgumentException("none of the " + images.size() + " images could be used (first problem: " + skipped.getFirst() + ")");
        }
        if (faith.noEditAgreement() != 1.0) {
            throw new IllegalStateException("the spliced forward without an edit agrees with the clean model on only " + faith.noEditAgreement()
                    + " of the units; the edit path is broken, so no effect could be trusted");
        }
        if (dose != null) {
            dose.computeIntervals(used, new ClusterBootstrap.Options(o.bootstrap(), 0.95, o.seed()));
        }
        return new Result(o, names, latents, random, tally, dose, faith, used, skipped);
    }

    /** One image: its prefix, faithfulness, and every class, condition and dose. */
    private record ImageRun(Inputs in, Options o, LatentMaxima maxima, ProtocolTally tally, DoseResponse dose, SpliceFaithfulness faith,
                            int[] latents, int[][] random) {

        void measure(int i, ProtocolImages.Image img, boolean seg) {
            VisionTower tower = in.tower();
            int classes = in.head().classes().size();
            try (NDManager nd = NDManager.newBaseManager(in.device())) {
                var size = in.images().imageSize();
                NDArray pixels = nd.create(img.pixels(), new Shape(1, 3, size.height(), size.width()));
                if (pixels.getDataType() != tower.dtype()) {
                    pixels = pixels.toType(tower.dtype(), false);
                }
                VisionOutput full = tower.forward(pixels, Set.of(in.block()));
                TokenLayout layout = full.layout();
                float[] cleanLogits = floats(in.head().logits(full, nd));
                NDArray x = full.blocks().get(in.block());
                NDArray prefix = x.toType(DataType.FLOAT32, true);
                int[] truth = seg ? img.patchLabels() : new int[] {img.label()};
                try (EditSession session = EditSession.ofResidual(tower, in.sae(), in.block(), x.duplicate(), layout,
                        seg ? new int[][] {img.patchLabels()} : null)) {
                    LatentEdit noop = new LatentEdit(null, EditTokens.allPatches(), new int[] {latents[0]}, EditOperation.SCALE, new float[] {1f},
                            ErrorPolicy.KEEP);
                    float[] noEditLogits = floats(session.logits(noop, SpliceForm.DELTA, in.head(), nd));
                    NDArray rows = prefix.reshape(-1, tower.width());
                    NDArray recon = onSaeTokens(prefix, in.sae().decode(in.sae().encode(rows)).reshape(prefix.getShape()), layout,
                            in.saeTokens());
                    float[] reconLogits = floats(in.head().logits(tower.forwardFrom(in.block(), recon, Set.of(), layout), nd));
                    int[] clean = argmax(cleanLogits, classes);
                    faith.add(clean, argmax(noEditLogits, classes), argmax(reconLogits, classes), truth, cleanLogits, noEditLogits);
                    ControlEdits edits = new ControlEdits(session, prefix, maxima, o.slots(), in.means(), o.seed());
                    for (int j = 0; j < latents.length; j++) {
                        int c = o.classes().get(j);
                        if (seg) {
                            segmentation(i, j, c, clean, truth, edits, nd);
                        } else {
                            classification(i, j, c, img.label(), cleanLogits, edits, nd);
                        }
                    }
                }
            }
        }

        private void segmentation(int i, int j, int c, int[] clean, int[] truth, ControlEdits edits, NDManager nd) {
            int ignore = in.images().ignoreLabel();
            boolean present = false;
            for (int g : truth) {
                present |= g == c;
            }
            EditTokens tokens = present ? EditTokens.ofClass(c) : EditTokens.allPatches();
            int classes = in.head().classes().size();
            int[][] after = forward(edits, i, c, tokens, j, null, classes, nd);
            putIou(tally.iouBefore, (j * tally.images + i) * 3, SegmentationEffects.iouCounts(clean, truth, c, ignore));
            for (int s = 0; s < after.length; s++) {
                SegmentationEffects.ChangeCounts ch = SegmentationEffects.changes(clean, after[s], truth, c, ignore);
                if (present) {
                    tally.set(j, i, s, ProtocolTally.TARGET_CHANGED, (int) ch.targetChanged());
                    tally.set(j, i, s, ProtocolTally.TARGET, (int) ch.target());
                    tally.set(j, i, s, ProtocolTally.OTHER_CHANGED, (int) ch.otherChanged());
                    tally.set(j, i, s, ProtocolTally.OTHER, (int) ch.other());
                } else {
                    tally.set(j, i, s, ProtocolTally.COLLATERAL_CHANGED, (int) ch.otherChanged());
                    tally.set(j, i, s, ProtocolTally.COLLATERAL, (int) ch.other());
                }
                putIou(tally.iouAfter, tally.cell(j, i, s) * 3, SegmentationEffects.iouCounts(after[s], truth, c, ignore));
            }
            if (dose != null && present) {
                for (int k = 0; k < dose.grid().size(); k++) {
                    int[][] at = forward(edits, i, c, tokens, j, dose.grid().dose(k), classes, nd);
                    for (int s = 0; s < at.length; s++) {
                        SegmentationEffects.ChangeCounts ch = SegmentationEffects.changes(clean, at[s], truth, c, ignore);
                        dose.add(j, k, s, i, (int) ch.targetChanged(), (int) ch.target(), (int) ch.otherChanged(), (int) ch.other());
                    }
                }
            }
        }

        private void classification(int i, int j, int c, int label, float[] cleanLogits, ControlEdits edits, NDManager nd) {
            int classes = in.head().classes().size();
            float[][] after = logits(edits, i, c, EditTokens.allPatches(), j, null, nd, classes);
            int top = ClassificationEffects.top1(cleanLogits);
            boolean target = label == c;
            for (int s = 0; s < after.length; s++) {
                int flipped = ClassificationEffects.top1(after[s]) != top ? 1 : 0;
                tally.set(j, i, s, target ? ProtocolTally.TARGET_CHANGED : ProtocolTally.OTHER_CHANGED, flipped);
                tally.set(j, i, s, target ? ProtocolTally.TARGET : ProtocolTally.OTHER, 1);
                tally.deltaP[tally.cell(j, i, s)] = ClassificationEffects.deltaP(cleanLogits, after[s], c);
                if (s == 0 && target) {
                    tally.transitions[j].add(cleanLogits, after[s]);
                }
            }
            if (dose != null) {
                for (int k = 0; k < dose.grid().size(); k++) {
                    float[][] at = logits(edits, i, c, EditTokens.allPatches(), j, dose.grid().dose(k), nd, classes);
                    for (int s = 0; s < at.length; s++) {
                        int flipped = ClassificationEffects.top1(at[s]) != top ? 1 : 0;
                        dose.add(j, k, s, i, target ? flipped : 0, target ? 1 : 0, target ? 0 : flipped, target ? 0 : 1);
                    }
                }
            }
        }

        private static void putIou(int[] into, int at, SegmentationEffects.IouCounts iou) {
            into[at] = (int) iou.intersection();
            into[at + 1] = (int) iou.truth();
            into[at + 2] = (int) iou.predicted();
        }

        /** The per-patch classes of every slot after the edit. */
        private int[][] forward(ControlEdits edits, int i, int c, EditTokens tokens, int j, Double d, int classes, NDManager nd) {
            float[][] l = logits(edits, i, c, tokens, j, d, nd, classes);
            int[][] out = new int[l.length][];
            for (int s = 0; s < l.length; s++) {
                out[s] = argmax(l[s], classes);
            }
            return out;
        }

        /** The logits of every slot after the edit, one batch. */
        private float[][] logits(ControlEdits edits, int i, int c, EditTokens tokens, int j, Double d, NDManager nd, int classes) {
            try (NDManager scope = nd.newSubManager()) {
                NDArray batch = edits.residuals(i, c, tokens, latents[j], random[j], d, scope);
                TokenLayout layout = in.images().layout();
                float[] all = floats(in.head().logits(in.tower().forwardFrom(in.block(), batch, Set.of(), layout), scope));
                int slots = o.slots().size();
                int per = all.length / slots;
                float[][] out = new float[slots][];
                for (int s = 0; s < slots; s++) {
                    out[s] = java.util.Arrays.copyOfRange(all, s * per, (s + 1) * per);
                }
                return out;
            }
        }
    }

    /**
     * The residual with the SAE's reconstruction on the tokens it was trained on and the clean activations elsewhere
     * ({@code [1, T, D]} both).
     */
    static NDArray onSaeTokens(NDArray clean, NDArray recon, TokenLayout layout, TokenKind kind) {
        if (kind == null || kind == TokenKind.ALL) {
            return recon;
        }
        int[] r = layout.range(kind);
        float[] mask = new float[layout.tokens()];
        java.util.Arrays.fill(mask, r[0], r[0] + r[1], 1f);
        NDArray m = clean.getManager().create(mask, new Shape(1, layout.tokens(), 1)).toType(clean.getDataType(), false);
        return recon.mul(m).add(clean.mul(m.neg().add(1)));
    }

    private static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** The best class of each row of {@code classes} logits (ties: the lower index). */
    public static int[] argmax(float[] logits, int classes) {
        int[] out = new int[logits.length / classes];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (logits[r * classes + k] > logits[r * classes + best]) {
                    best = k;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
