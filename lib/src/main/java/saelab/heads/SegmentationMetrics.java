package saelab.heads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import saelab.io.Json;
import saelab.io.CsvField;

/**
 * Segmentation metrics from a confusion matrix over patches or pixels, following mmsegmentation's
 * {@code IoUMetric} ({@code mmseg/evaluation/metrics/iou_metric.py}, the ADE20K convention): per class,
 * IoU = intersection / union accumulated over the whole evaluation set; mIoU = the mean over the classes
 * whose union is non-zero (mmseg's {@code nanmean}: a class neither present nor predicted does not count);
 * aAcc ("pixel accuracy") = correct / labelled; mAcc = mean over classes present of the per-class recall.
 * For ADE20K mmseg sets {@code reduce_zero_label}: pixels of label 0 (background/"other") are ignored and
 * class 0 is not scored; the headline figures here do the same when the cache names a background label,
 * and {@code *_with_background} figures score every patch and class.
 *
 * <p><b>Resolution</b> ({@link Resolution}). Per patch: the cache's patch labels (each patch's majority label, see
 * {@code saelab.data.PatchLabels}) against the per-patch prediction; a cache holds no image-resolution label maps,
 * so figures on a cache are per patch and not directly comparable to published per-pixel mIoU. Per pixel
 * ({@link PixelEvaluation}): the label map at the preprocessed image's resolution against the argmax of the
 * bilinearly upsampled logits, as mmsegmentation and DINOv2's linear segmentation evaluation score a head. The
 * figures and the CSV name their unit ({@code patch_accuracy}, {@code truth_pixels}, ...). Memory: a
 * {@code classes²} matrix of longs.
 */
public final class SegmentationMetrics {

    /** What one count is: a patch (against the cache's patch labels) or a pixel of the preprocessed image. */
    public enum Resolution {
        /** One count per patch. */
        PATCH("patch", "patches"),
        /** One count per pixel. */
        PIXEL("pixel", "pixels");

        private final String id;
        private final String units;

        Resolution(String id, String units) {
            this.id = id;
            this.units = units;
        }

        /** {@code patch} or {@code pixel}, as the JSON's {@code resolution} field and the command line write it. */
        public String id() {
            return id;
        }

        /**
         * Parses {@code patch} or {@code pixel}.
         *
         * @param source the option or field, for the error
         */
        public static Resolution parse(String text, String source) {
            for (Resolution r : values()) {
                if (r.id.equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return r;
                }
            }
            throw new IllegalArgumentException(source + " is '" + text + "'; expected patch or pixel");
        }
    }

    private final List<String> classes;
    private final int background;
    private final Resolution resolution;
    private final long[][] confusion;

    /** Per-patch metrics (see {@link #SegmentationMetrics(List, int, Resolution)}). */
    public SegmentationMetrics(List<String> classes, int background) {
        this(classes, background, Resolution.PATCH);
    }

    /**
     * @param classes    class names (index = label)
     * @param background the background label ignored by the headline figures, or -1
     * @param resolution what one count is
     */
    public SegmentationMetrics(List<String> classes, int background, Resolution resolution) {
        this.classes = List.copyOf(classes);
        this.background = background;
        this.resolution = resolution;
        this.confusion = new long[classes.size()][classes.size()];
    }

    /** What one count is. */
    public Resolution resolution() {
        return resolution;
    }

    /** Counts {@code n} patches or pixels: truth {@code gt[i]} (skipped when negative), prediction {@code pred[i]}. */
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

    /** IoU of class {@code c} (background patches or pixels ignored when the head names one), or NaN when its union is zero. */
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

    /** Patch or pixel accuracy (aAcc: correct / labelled; background ignored when named). */
    public double accuracy() {
        return accuracy(background >= 0)[0];
    }

    /** The figures as JSON. */
    public ObjectNode toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("resolution", resolution.id);
        n.put("miou", meanIou());
        n.put(resolution.id + "_accuracy", accuracy());
        n.put("mean_class_accuracy", accuracy(background >= 0)[1]);
        n.put("miou_with_background", meanIou(false));
        n.put(resolution.id + "_accuracy_with_background", accuracy(false)[0]);
        n.put("background", background);
        long counted = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                counted += v;
            }
        }
        n.put(resolution.units, counted);
        return n;
    }

    /**
     * Per-class CSV: {@code class,name,iou,accuracy,truth_patches,predicted_patches} ({@code _pixels} per pixel;
     * background ignored when named).
     */
    public String perClassCsv() {
        StringBuilder sb = new StringBuilder("class,name,").append(header("")).append('\n');
        for (int c = 0; c < classes.size(); c++) {
            sb.append(c).append(',').append(CsvField.of(classes.get(c))).append(',');
            appendFigures(sb, c);
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * One per-class CSV of two evaluations of the same head and classes: {@code class,name}, the columns of
     * {@code first}, then those of {@code second} with their resolution as prefix (e.g. pixel figures first, then
     * {@code patch_iou,patch_accuracy,truth_patches,predicted_patches}).
     *
     * @throws IllegalArgumentException when the two disagree on the classes
     */
    public static String perClassCsv(SegmentationMetrics first, SegmentationMetrics second) {
        if (!first.classes.equals(second.classes)) {
            throw new IllegalArgumentException("the two evaluations score different classes");
        }
        StringBuilder sb = new StringBuilder("class,name,").append(first.header("")).append(',')
                .append(second.header(second.resolution.id + "_")).append('\n');
        for (int c = 0; c < first.classes.size(); c++) {
            sb.append(c).append(',').append(CsvField.of(first.classes.get(c))).append(',');
            first.appendFigures(sb, c);
            sb.append(',');
            second.appendFigures(sb, c);
            sb.append('\n');
        }
        return sb.toString();
    }

    private String header(String prefix) {
        return prefix + "iou," + prefix + "accuracy,truth_" + resolution.units + ",predicted_" + resolution.units;
    }

    /** {@code iou,accuracy,truth,predicted} of class {@code c} (empty fields when undefined). */
    private void appendFigures(StringBuilder sb, int c) {
        long[] k = counts(c, background >= 0);
        sb.append(k[1] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) k[0] / k[1])).append(',')
                .append(k[2] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) k[0] / k[2])).append(',')
                .append(k[2]).append(',').append(k[3]);
    }
}
