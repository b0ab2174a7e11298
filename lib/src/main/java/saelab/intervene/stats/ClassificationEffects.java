package saelab.intervene.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Effect measures of an edit on a classification head, from one image's class scores before and after the edit:
 * Δp(target) = p_after(target) − p_before(target) with p the softmax of the logits; the top-1 flip (the arg-max
 * class changed; ties go to the lower class index, as {@code saelab.heads.ClassificationMetrics}); and where the
 * flips go ({@link Transitions}: counts of top-1 class before → top-1 class after). Over images, the mean Δp is
 * {@link ImageCounts#ofValues} and the flip rate Σ flips / images, both resampled by {@link ClusterBootstrap}.
 */
public final class ClassificationEffects {

    private ClassificationEffects() {}

    /**
     * The softmax of logits, in double with the maximum subtracted (no overflow).
     *
     * @throws IllegalArgumentException when a logit is not finite or there are none
     */
    public static double[] probabilities(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("class probabilities need at least one logit");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < logits.length; k++) {
            if (!Float.isFinite(logits[k])) {
                throw new IllegalArgumentException("logit " + k + " is " + logits[k] + "; expected finite values");
            }
            max = Math.max(max, logits[k]);
        }
        double[] p = new double[logits.length];
        double s = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logits[k] - max);
            s += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= s;
        }
        return p;
    }

    /** Δp(target) between the logits before and after an edit. */
    public static double deltaP(float[] before, float[] after, int target) {
        requireSameClasses(before, after, target);
        return probabilities(after)[target] - probabilities(before)[target];
    }

    /** The arg-max class, the lower index on ties. */
    public static int top1(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("a top-1 class needs at least one logit");
        }
        int best = 0;
        for (int k = 1; k < logits.length; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Whether the top-1 class differs before and after. */
    public static boolean flipped(float[] before, float[] after) {
        requireSameClasses(before, after, 0);
        return top1(before) != top1(after);
    }

    private static void requireSameClasses(float[] before, float[] after, int target) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("the logits before and after the edit have " + before.length + " and " + after.length
                    + " classes; expected the same head");
        }
        if (target < 0 || target >= before.length) {
            throw new IllegalArgumentException("target class " + target + " is not among the head's " + before.length + " classes");
        }
    }

    /** Counts of top-1 class before → top-1 class after, over images; sparse (memory O(distinct pairs)). */
    public static final class Transitions {

        /** One from → to count. */
        public record Transition(int from, int to, long count) {}

        private final Map<Long, long[]> counts = new TreeMap<>();
        private long images;

        /** Counts one image's top-1 classes before and after. */
        public void add(int from, int to) {
            if (from < 0 || to < 0) {
                throw new IllegalArgumentException("a transition needs class indices of at least 0, got " + from + " → " + to);
            }
            images++;
            counts.computeIfAbsent(((long) from << 32) | to, k -> new long[1])[0]++;
        }

        /** Counts one image from its logits before and after. */
        public void add(float[] before, float[] after) {
            requireSameClasses(before, after, 0);
            add(top1(before), top1(after));
        }

        /** The images counted. */
        public long images() {
            return images;
        }

        /** Images whose top-1 class changed. */
        public long flips() {
            long f = 0;
            for (Transition t : all()) {
                if (t.from() != t.to()) {
                    f += t.count();
                }
            }
            return f;
        }

        /** flips / images (NaN without images). */
        public double flipRate() {
            return images == 0 ? Double.NaN : (double) flips() / images;
        }

        /** The count of from → to. */
        public long count(int from, int to) {
            long[] c = counts.get(((long) from << 32) | to);
            return c == null ? 0 : c[0];
        }

        /** Every non-zero transition, ordered by from, then to (unchanged classes from == to included). */
        public List<Transition> all() {
            List<Transition> out = new ArrayList<>(counts.size());
            for (Map.Entry<Long, long[]> e : counts.entrySet()) {
                out.add(new Transition((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue()[0]));
            }
            return out;
        }
    }
}
