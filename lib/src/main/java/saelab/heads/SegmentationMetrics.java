package saelab.heads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import saelab.io.Json;

/**
 * Segmentation metrics from a confusion matrix over patches, following mmsegmentation's
 * {@code IoUMetric} ({@code mmseg/evaluation/metrics/iou_metric.py}, the ADE20K convention): per class,
 * IoU = intersection / union accumulated over the whole evaluation set; mIoU = the mean over the classes
 * whose union is non-zero (mmseg's {@code nanmean}: a class neither present nor predicted does not count);
 * aAcc ("pixel accuracy") = correct / labelled; mAcc = mean over classes present of the per-class recall.
 * For ADE20K mmseg sets {@code reduce_zero_label}: pixels of label 0 (background/"other") are ignored and
 * class 0 is not scored; the headline figures here do the same when the cache names a background label,
 * and {@code *_with_background} figures score every patch and class.
 *
 * <p><b>Resolution.</b> These are computed on the cache's patch labels (each patch's majority label, see
 * {@code saelab.data.PatchLabels}) against the per-patch prediction; the cache holds no image-resolution
 * label maps, so the figures are per-patch, not per-pixel, and are not directly comparable to published
 * per-pixel mIoU. Memory: a {@code classes²} matrix of longs.
 */
public final class SegmentationMetrics {

    private final List<String> classes;
    private final int background;
    private final long[][] confusion;

    /**
     * @param classes    class names (index = label)
     * @param background the background label ignored by the headline figures, or -1
     */
    public SegmentationMetrics(List<String> classes, int background) {
        this.classes = List.copyOf(classes);
        this.background = background;
        this.confusion = new long[classes.size()][classes.size()];
    }

    /** Counts {@code n} patches: truth {@code gt[i]} (skipped when negative), prediction {@code pred[i]}. */
    public void add(int[] gt, int[] pred, int n) {
        for (int i = 0; i < n; i++) {
            if (gt[i] >= 0) {
                confusion[gt[i]][pred[i]]++;
            }
        }
    }

    /** Intersection, union, truth count and prediction count of class {@code c}; background rows left out when {@code ignoreBg}. */
    private long[] counts(int c, boolean ignoreBg) {
        long inter = confusion[c][c];
        long truth = 0;
        long predicted = 0;
        for (int k = 0; k < classes.size(); k++) {
            truth += confusion[c][k];
            if (!(ignoreBg && k == background)) {
                predicted += confusion[k][c];
            }
        }
        if (ignoreBg && c == background) {
            truth = 0;
            inter = 0;
        }
        return new long[] {inter, truth + predicted - inter, truth, predicted};
    }

    /** IoU of class {@code c} (background patches ignored when the cache names one), or NaN when its union is zero. */
    public double iou(int c) {
        long[] k = counts(c, background >= 0);
        return k[1] == 0 ? Double.NaN : (double) k[0] / k[1];
    }

    private double meanIou(boolean ignoreBg) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes.size(); c++) {
            if (ignoreBg && c == background) {
                continue;
            }
            long[] k = counts(c, ignoreBg);
            if (k[1] > 0) {
                sum += (double) k[0] / k[1];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private double[] accuracy(boolean ignoreBg) {
        long correct = 0;
        long total = 0;
        double recallSum = 0;
        int present = 0;
        for (int c = 0; c < classes.size(); c++) {
            if (ignoreBg && c == background) {
                continue;
            }
            long[] k = counts(c, ignoreBg);
            correct += k[0];
            total += k[2];
            if (k[2] > 0) {
                recallSum += (double) k[0] / k[2];
                present++;
            }
        }
        return new double[] {total == 0 ? Double.NaN : (double) correct / total, present == 0 ? Double.NaN : recallSum / present};
    }

    /** mIoU (background ignored when named). */
    public double meanIou() {
        return meanIou(background >= 0);
    }

    /** Patch accuracy (aAcc; background patches ignored when named). */
    public double patchAccuracy() {
        return accuracy(background >= 0)[0];
    }

    /** The figures as JSON. */
    public ObjectNode toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("resolution", "patch");
        n.put("miou", meanIou());
        n.put("patch_accuracy", patchAccuracy());
        n.put("mean_class_accuracy", accuracy(background >= 0)[1]);
        n.put("miou_with_background", meanIou(false));
        n.put("patch_accuracy_with_background", accuracy(false)[0]);
        n.put("background", background);
        long patches = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                patches += v;
            }
        }
        n.put("patches", patches);
        return n;
    }

    /** Per-class CSV: {@code class,name,iou,accuracy,truth_patches,predicted_patches} (background patches ignored when named). */
    public String perClassCsv() {
        StringBuilder sb = new StringBuilder("class,name,iou,accuracy,truth_patches,predicted_patches\n");
        boolean ignore = background >= 0;
        for (int c = 0; c < classes.size(); c++) {
            long[] k = counts(c, ignore);
            sb.append(c).append(',').append(Csv.field(classes.get(c))).append(',')
                    .append(k[1] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) k[0] / k[1])).append(',')
                    .append(k[2] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) k[0] / k[2])).append(',')
                    .append(k[2]).append(',').append(k[3]).append('\n');
        }
        return sb.toString();
    }
}
