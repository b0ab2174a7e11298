package saelab.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.store.ActivationCache;
import saelab.io.CsvField;

/**
 * Label statistics of each latent's top examples, from the top-k lists of a feature pass
 * ({@link AnalysisResult}) and the labels of the cache: image labels ({@code ImageRecord.label}) for
 * the image-level list, per-patch labels (segmentation) for the patch-level list.
 *
 * <p>Definitions, per latent with top examples i = 1..k', values v_i &gt; 0 and labels y_i (examples
 * without a label, −1, are left out): the activation-weighted label distribution
 * p_c = Σ_{i: y_i = c} v_i / Σ_i v_i; the <b>label entropy</b> H = −Σ_c p_c ln p_c in <b>nats</b>
 * (0 when every example has one label, ln m for an even mix of m labels; NaN when the latent has no
 * labelled top example); the <b>purity</b> max_c p_c (the weight of the majority label) and that label.
 * This is the label entropy of the "ultra-low density cluster" analysis of ViT SAEs (H. Fry, "Towards
 * multimodal interpretability: learning sparse interpretable features in vision transformers", 2024,
 * and the saev paper, Stevens et al. 2025): latents in the low-frequency, high-mean cluster have
 * top images of one class, so low entropy.
 *
 * @param latents    latent ids (rows of the analysis)
 * @param entropy    label entropy in nats per row
 * @param purity     weight of the majority label per row (NaN without labelled examples)
 * @param topLabel   the majority label per row (ties: the lower label), −1 without labelled examples
 * @param labelled   labelled top examples per row
 */
public record LabelStatistics(int[] latents, double[] entropy, double[] purity, int[] topLabel, int[] labelled) {

    /** Where the labels come from. */
    public enum Source {
        /** The image-level top list and each image's dataset label. */
        IMAGE,
        /** The patch-level top list and each patch's segmentation label. */
        PATCH
    }

    /** The label of (image, patch) (patch −1 for image-level lists), or −1 when it has none. */
    @FunctionalInterface
    public interface Labels {
        int label(int image, int patch);
    }

    /** The header of {@link #writeDensityCsv}. */
    public static final String DENSITY_HEADER = "latent,log10_frequency,log10_mean_value,label_entropy_nats,purity,top_label,top_label_name";

    /**
     * Statistics from top lists [rows × k] (values best first, −1 padding) and a label lookup.
     *
     * @param latents latent id per row
     * @param k       list length
     */
    public static LabelStatistics of(int[] latents, int k, TopKLists.Sorted lists, Labels labels) {
        int n = latents.length;
        if (lists.values().length != (long) n * k) {
            throw new IllegalArgumentException("top lists hold " + lists.values().length + " entries; expected rows x k = "
                    + n + " x " + k);
        }
        double[] h = new double[n];
        double[] pur = new double[n];
        int[] top = new int[n];
        int[] count = new int[n];
        Map<Integer, Double> w = new HashMap<>();
        for (int r = 0; r < n; r++) {
            w.clear();
            double total = 0;
            for (int i = 0; i < k; i++) {
                int at = r * k + i;
                int img = lists.images()[at];
                float v = lists.values()[at];
                if (img < 0 || !(v > 0)) {
                    continue;
                }
                int y = labels.label(img, lists.patches()[at]);
                if (y < 0) {
                    continue;
                }
                w.merge(y, (double) v, Double::sum);
                total += v;
                count[r]++;
            }
            if (total == 0) {
                h[r] = Double.NaN;
                pur[r] = Double.NaN;
                top[r] = -1;
                continue;
            }
            double ent = 0;
            double best = -1;
            int bestLabel = -1;
            for (Map.Entry<Integer, Double> e : w.entrySet()) {
                double p = e.getValue() / total;
                ent -= p * Math.log(p);
                if (p > best || (p == best && e.getKey() < bestLabel)) {
                    best = p;
                    bestLabel = e.getKey();
                }
            }
            h[r] = Math.max(0, ent); // −0.0 and rounding below zero for a single label
            pur[r] = best;
            top[r] = bestLabel;
        }
        return new LabelStatistics(latents.clone(), h, pur, top, count);
    }

    /**
     * Statistics of an analysis against the labels of its cache.
     *
     * @throws IllegalArgumentException when {@code source} is PATCH and the cache has no patch labels
     */
    public static LabelStatistics of(AnalysisResult result, ActivationCache cache, Source source) {
        int[] latents = result.index().latents().stream().mapToInt(Integer::intValue).toArray();
        if (source == Source.PATCH) {
            if (!cache.hasPatchLabels()) {
                throw new IllegalArgumentException("the cache " + cache.dir() + " has no per-patch labels (field patch_labels "
                        + "of its manifest); use image labels");
            }
            return of(latents, result.index().k(), result.topPatches(), (img, p) -> cache.patchLabels(img)[p]);
        }
        return of(latents, result.index().k(), result.topImages(), (img, p) -> cache.image(img).label());
    }

    /**
     * Writes the ultra-low-density view, one row per latent: log10 of the firing frequency and of the
     * mean value when firing (empty for latents that never fire), the label entropy (nats), purity and
     * majority label (with its name from {@code classNames} when given).
     */
    public void writeDensityCsv(Path file, AnalysisResult result, List<String> classNames) throws IOException {
        if (result.rows() != latents.length) {
            throw new IllegalArgumentException("analysis has " + result.rows() + " rows; label statistics have " + latents.length);
        }
        StringBuilder sb = new StringBuilder(DENSITY_HEADER).append('\n');
        for (int r = 0; r < latents.length; r++) {
            double f = result.frequency(r);
            double m = result.meanWhenFiring(r);
            String name = topLabel[r] >= 0 && classNames != null && topLabel[r] < classNames.size()
                    ? CsvField.of(classNames.get(topLabel[r])) : "";
            sb.append(latents[r]).append(',').append(f > 0 ? num(Math.log10(f)) : "").append(',')
                    .append(m > 0 ? num(Math.log10(m)) : "").append(',').append(num(entropy[r])).append(',')
                    .append(num(purity[r])).append(',').append(topLabel[r]).append(',').append(name).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
