package saelab.intervene;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Faithfulness of the spliced forward, measured before any edit (the protocol's first table):
 * <ul>
 *   <li><b>no-edit agreement</b>: the share of units (patches for segmentation, images for classification) whose
 *       predicted class from the cached prefix through the splice with an edit that changes nothing (scale by 1, error
 *       kept) equals the clean model's, from one uninterrupted forward pass; it must be 1 (the delta form adds exactly
 *       0), and the largest absolute logit difference is reported beside it;</li>
 *   <li><b>reconstruction</b>: every token of the edit block replaced by the SAE's reconstruction x̂ (error dropped),
 *       the task metric (patch accuracy and mIoU over the scored patches at patch resolution for segmentation, top-1
 *       accuracy for classification) against the ground truth, beside the clean model's, and the share of units whose
 *       prediction equals the clean model's.</li>
 * </ul>
 * mIoU here is mmsegmentation's: per class Σ intersection / Σ union over the images, averaged over the classes present
 * in truth or prediction, the ignore label scored nowhere.
 */
final class SpliceFaithfulness {

    private final int classes;
    private final int ignoreLabel;
    private long units;
    private long noEditAgree;
    private long reconAgree;
    private double maxAbsLogitDiff;
    private long scored;
    private long cleanCorrect;
    private long reconCorrect;
    private final long[] cleanInter;
    private final long[] cleanUnion;
    private final long[] reconInter;
    private final long[] reconUnion;

    SpliceFaithfulness(int classes, int ignoreLabel) {
        this.classes = classes;
        this.ignoreLabel = ignoreLabel;
        cleanInter = new long[classes];
        cleanUnion = new long[classes];
        reconInter = new long[classes];
        reconUnion = new long[classes];
    }

    /**
     * Adds one image.
     *
     * @param clean       the clean model's class per unit
     * @param noEdit      the no-edit splice's class per unit
     * @param recon       the reconstruction splice's class per unit
     * @param truth       the truth per unit (−1: unlabelled)
     * @param cleanLogits the clean logits
     * @param noEditLogits the no-edit splice's logits
     */
    void add(int[] clean, int[] noEdit, int[] recon, int[] truth, float[] cleanLogits, float[] noEditLogits) {
        for (int u = 0; u < clean.length; u++) {
            units++;
            noEditAgree += clean[u] == noEdit[u] ? 1 : 0;
            reconAgree += clean[u] == recon[u] ? 1 : 0;
            int g = truth[u];
            if (g < 0 || g == ignoreLabel || g >= classes) {
                continue;
            }
            scored++;
            cleanCorrect += clean[u] == g ? 1 : 0;
            reconCorrect += recon[u] == g ? 1 : 0;
            iou(cleanInter, cleanUnion, clean[u], g);
            iou(reconInter, reconUnion, recon[u], g);
        }
        for (int k = 0; k < cleanLogits.length; k++) {
            maxAbsLogitDiff = Math.max(maxAbsLogitDiff, Math.abs((double) cleanLogits[k] - noEditLogits[k]));
        }
    }

    private void iou(long[] inter, long[] union, int predicted, int truth) {
        if (predicted == truth) {
            inter[truth]++;
            union[truth]++;
        } else {
            union[truth]++;
            if (predicted != ignoreLabel && predicted >= 0 && predicted < classes) {
                union[predicted]++;
            }
        }
    }

    /** The no-edit agreement (NaN before any unit). */
    double noEditAgreement() {
        return units == 0 ? Double.NaN : (double) noEditAgree / units;
    }

    /** The units compared. */
    long units() {
        return units;
    }

    /** The figures as a JSON-ready map. */
    Map<String, Object> toMap(boolean segmentation) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("units", segmentation ? "patches" : "images");
        m.put("compared", units);
        m.put("no_edit_agreement", noEditAgreement());
        m.put("no_edit_max_abs_logit_difference", maxAbsLogitDiff);
        m.put("reconstruction_agreement_with_clean", units == 0 ? Double.NaN : (double) reconAgree / units);
        m.put("scored_units", scored);
        String metric = segmentation ? "patch_accuracy" : "top1_accuracy";
        m.put("clean_" + metric, scored == 0 ? Double.NaN : (double) cleanCorrect / scored);
        m.put("reconstruction_" + metric, scored == 0 ? Double.NaN : (double) reconCorrect / scored);
        if (segmentation) {
            m.put("clean_miou", mean(cleanInter, cleanUnion));
            m.put("reconstruction_miou", mean(reconInter, reconUnion));
        }
        return m;
    }

    private static double mean(long[] inter, long[] union) {
        double s = 0;
        int n = 0;
        for (int c = 0; c < inter.length; c++) {
            if (union[c] > 0) {
                s += (double) inter[c] / union[c];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
