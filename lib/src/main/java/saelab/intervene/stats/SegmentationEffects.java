package saelab.intervene.stats;

/**
 * Effect measures of an edit on a segmentation head, from the per-patch (or per-pixel) predictions before and after
 * the edit and the ground truth of one image. A unit is <i>changed</i> ("flipped") when its predicted label after
 * the edit differs from the one before, whatever it became (where it went is {@link ClassificationEffects.Transitions}'s
 * business). Units whose truth is negative (unlabelled) or equal to {@code ignoreLabel} count nowhere; pass −1 to
 * score every labelled unit, or the background label to follow mmsegmentation's {@code reduce_zero_label} for ADE20K.
 *
 * <ul>
 *   <li>target change rate of class c = changed units of truth c / units of truth c;</li>
 *   <li>off-target change rate = changed other units / other units, over the same images;</li>
 *   <li>collateral change = the off-target rate over images without the class ({@link ChangeCounts#target()} = 0),
 *       where every unit is "other";</li>
 *   <li>ΔIoU of c = IoU_after − IoU_before, IoU = |truth c ∧ predicted c| / |truth c ∨ predicted c| accumulated over
 *       the evaluation set (mmsegmentation's {@code IoUMetric}). Intersections and unions add over images, so IoU
 *       is Σ intersection / Σ union, a ratio {@link ClusterBootstrap} resamples by image like the change rates.</li>
 * </ul>
 * The counts of one image are returned as records; the protocol sums them, or puts them per image into
 * {@link ImageCounts} for the bootstrap. Memory O(1).
 */
public final class SegmentationEffects {

    private SegmentationEffects() {}

    /**
     * Changed and total units of the target class and of the other classes, in one image.
     *
     * @param targetChanged units of truth c whose prediction changed
     * @param target        units of truth c
     * @param otherChanged  other scored units whose prediction changed
     * @param other         other scored units
     */
    public record ChangeCounts(long targetChanged, long target, long otherChanged, long other) {

        /** The target change rate (NaN without target units). */
        public double targetRate() {
            return target == 0 ? Double.NaN : (double) targetChanged / target;
        }

        /** The off-target change rate (NaN without other units). */
        public double offTargetRate() {
            return other == 0 ? Double.NaN : (double) otherChanged / other;
        }

        /** The sum of two images' counts. */
        public ChangeCounts plus(ChangeCounts o) {
            return new ChangeCounts(targetChanged + o.targetChanged, target + o.target, otherChanged + o.otherChanged, other + o.other);
        }
    }

    /**
     * Intersection, truth and prediction counts of one class.
     *
     * @param intersection units with truth c and prediction c
     * @param truth        units with truth c
     * @param predicted    scored units predicted c
     */
    public record IouCounts(long intersection, long truth, long predicted) {

        /** |truth ∨ predicted|. */
        public long union() {
            return truth + predicted - intersection;
        }

        /** The IoU (NaN when the class is neither present nor predicted). */
        public double iou() {
            long u = union();
            return u == 0 ? Double.NaN : (double) intersection / u;
        }

        /** The sum of two images' counts. */
        public IouCounts plus(IouCounts o) {
            return new IouCounts(intersection + o.intersection, truth + o.truth, predicted + o.predicted);
        }
    }

    /**
     * The change counts of class {@code c} in one image.
     *
     * @param before      predicted labels before the edit [units]
     * @param after       predicted labels after the edit [units]
     * @param truth       ground-truth labels [units], negative for unlabelled
     * @param c           the target class
     * @param ignoreLabel a truth label scored nowhere, or −1
     */
    public static ChangeCounts changes(int[] before, int[] after, int[] truth, int c, int ignoreLabel) {
        requireSameLength(before, after, truth);
        long tc = 0;
        long t = 0;
        long oc = 0;
        long o = 0;
        for (int i = 0; i < truth.length; i++) {
            int g = truth[i];
            if (g < 0 || g == ignoreLabel) {
                continue;
            }
            boolean changed = before[i] != after[i];
            if (g == c) {
                t++;
                if (changed) {
                    tc++;
                }
            } else {
                o++;
                if (changed) {
                    oc++;
                }
            }
        }
        return new ChangeCounts(tc, t, oc, o);
    }

    /** The IoU counts of class {@code c} of one prediction in one image (units ignored as in {@link #changes}). */
    public static IouCounts iouCounts(int[] predicted, int[] truth, int c, int ignoreLabel) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException("IoU counts need one prediction and one truth label per unit, got " + predicted.length + " and "
                    + truth.length);
        }
        long inter = 0;
        long t = 0;
        long p = 0;
        for (int i = 0; i < truth.length; i++) {
            int g = truth[i];
            if (g < 0 || g == ignoreLabel) {
                continue;
            }
            boolean isTruth = g == c;
            boolean isPred = predicted[i] == c;
            if (isTruth) {
                t++;
            }
            if (isPred) {
                p++;
            }
            if (isTruth && isPred) {
                inter++;
            }
        }
        return new IouCounts(inter, t, p);
    }

    /** ΔIoU = IoU(after) − IoU(before) from counts summed over the evaluation set (NaN when either is undefined). */
    public static double deltaIou(IouCounts before, IouCounts after) {
        return after.iou() - before.iou();
    }

    private static void requireSameLength(int[] a, int[] b, int[] truth) {
        if (a.length != truth.length || b.length != truth.length) {
            throw new IllegalArgumentException("segmentation effects need one prediction before, one after and one truth label per unit, got "
                    + a.length + ", " + b.length + " and " + truth.length);
        }
    }
}
