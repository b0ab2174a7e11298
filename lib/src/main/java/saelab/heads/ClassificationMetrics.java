package saelab.heads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import saelab.io.Json;
import saelab.io.CsvField;

/**
 * Top-1 and top-5 accuracy of image classification (the ImageNet convention: an image counts as top-k
 * correct when its label is among the k largest logits; ties broken towards the lower class index), overall
 * and per class. Memory: three longs per class.
 */
public final class ClassificationMetrics {

    private final List<String> classes;
    private final long[] total;
    private final long[] top1;
    private final long[] top5;

    /** @param classes class names (index = label) */
    public ClassificationMetrics(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.total = new long[classes.size()];
        this.top1 = new long[classes.size()];
        this.top5 = new long[classes.size()];
    }

    /** Counts {@code n} images: labels {@code gt}, logits {@code [n, classes]} row-major. */
    public void add(int[] gt, float[] logits, int n) {
        int c = classes.size();
        for (int i = 0; i < n; i++) {
            int label = gt[i];
            float mine = logits[i * c + label];
            int above = 0; // classes ranked before the label
            for (int k = 0; k < c; k++) {
                float v = logits[i * c + k];
                if (v > mine || (v == mine && k < label)) {
                    above++;
                }
            }
            total[label]++;
            if (above == 0) {
                top1[label]++;
            }
            if (above < 5) {
                top5[label]++;
            }
        }
    }

    private static double ratio(long[] a, long[] b) {
        long x = 0;
        long y = 0;
        for (int i = 0; i < a.length; i++) {
            x += a[i];
            y += b[i];
        }
        return y == 0 ? Double.NaN : (double) x / y;
    }

    /** Top-1 accuracy over all counted images. */
    public double top1() {
        return ratio(top1, total);
    }

    /** Top-5 accuracy over all counted images. */
    public double top5() {
        return ratio(top5, total);
    }

    /** The figures as JSON. */
    public ObjectNode toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("top1", top1());
        n.put("top5", top5());
        double sum = 0;
        int present = 0;
        long images = 0;
        for (int c = 0; c < total.length; c++) {
            images += total[c];
            if (total[c] > 0) {
                sum += (double) top1[c] / total[c];
                present++;
            }
        }
        n.put("mean_class_top1", present == 0 ? Double.NaN : sum / present);
        n.put("images", images);
        return n;
    }

    /** Per-class CSV: {@code class,name,top1,top5,images}. */
    public String perClassCsv() {
        StringBuilder sb = new StringBuilder("class,name,top1,top5,images\n");
        for (int c = 0; c < total.length; c++) {
            sb.append(c).append(',').append(CsvField.of(classes.get(c))).append(',')
                    .append(total[c] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) top1[c] / total[c])).append(',')
                    .append(total[c] == 0 ? "" : String.format(Locale.ROOT, "%.6f", (double) top5[c] / total[c])).append(',')
                    .append(total[c]).append('\n');
        }
        return sb.toString();
    }
}
