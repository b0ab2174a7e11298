package saelab.intervene;

import java.util.ArrayList;
import java.util.List;
import saelab.heads.HeadKind;

/**
 * A task head's output on one image: the logits, their softmax, and for a per-patch (segmentation) head each
 * patch's class. Ties of the argmax go to the lower class index.
 *
 * @param kind          what the head predicts
 * @param classes       number of classes
 * @param logits        {@code [classes]} for an image head, {@code [patches, classes]} row-major for a per-patch head
 * @param probabilities the softmax of {@code logits} over the classes (per patch for a per-patch head)
 * @param mask          {@code [patches]} (raster order of the patch grid) the best class per patch, or null for an image head
 */
public record Prediction(HeadKind kind, int classes, float[] logits, float[] probabilities, int[] mask) {

    /** A class with its score. */
    public record ClassScore(int index, String name, double probability, double logit) {}

    /**
     * The prediction of {@code logits} from a head of {@code kind}.
     *
     * @throws IllegalArgumentException when the logits do not hold a whole number of rows of {@code classes}
     */
    public static Prediction of(HeadKind kind, int classes, float[] logits) {
        if (classes < 1 || logits.length % classes != 0 || (kind != HeadKind.SEGMENT && logits.length != classes)) {
            throw new IllegalArgumentException("the head gave " + logits.length + " logits; expected " + (kind == HeadKind.SEGMENT
                    ? "a multiple of " : "") + classes + " (one per class" + (kind == HeadKind.SEGMENT ? " and patch)" : ")"));
        }
        int rows = logits.length / classes;
        float[] p = new float[logits.length];
        int[] mask = kind == HeadKind.SEGMENT ? new int[rows] : null;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            int best = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (logits[o + c] > max) {
                    max = logits[o + c];
                    best = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp((double) logits[o + c] - max); // the max subtracted so that exp cannot overflow
            }
            for (int c = 0; c < classes; c++) {
                p[o + c] = (float) (Math.exp((double) logits[o + c] - max) / sum);
            }
            if (mask != null) {
                mask[r] = best;
            }
        }
        return new Prediction(kind, classes, logits, p, mask);
    }

    /** The best class of an image head (the lowest index among ties); for a per-patch head, the most frequent patch class. */
    public int top() {
        if (mask != null) {
            long[] n = classCounts();
            int best = 0;
            for (int c = 1; c < n.length; c++) {
                if (n[c] > n[best]) {
                    best = c;
                }
            }
            return best;
        }
        return top(1, null).get(0).index();
    }

    /** The {@code k} most probable classes of an image head, best first (ties: the lower index first). */
    public List<ClassScore> top(int k, List<String> names) {
        if (mask != null) {
            throw new IllegalStateException("top classes are for image heads; a segmentation head has a class per patch (see classCounts)");
        }
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        List<ClassScore> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, classes); i++) {
            int c = order[i];
            out.add(new ClassScore(c, names == null ? null : names.get(c), probabilities[c], logits[c]));
        }
        return out;
    }

    /** The probability of class {@code c} (image heads). */
    public double probability(int c) {
        return probabilities[c];
    }

    /** Patches per class of a per-patch head, {@code [classes]}. */
    public long[] classCounts() {
        if (mask == null) {
            throw new IllegalStateException("patch counts are for segmentation heads");
        }
        long[] n = new long[classes];
        for (int m : mask) {
            n[m]++;
        }
        return n;
    }
}
