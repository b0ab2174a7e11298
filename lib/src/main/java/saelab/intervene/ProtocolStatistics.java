package saelab.intervene;

import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.ImageCounts;
import saelab.intervene.stats.Interval;
import saelab.intervene.stats.PairedTest;
import saelab.intervene.stats.SignFlipTest;

/**
 * The rates of a protocol run as {@link ImageCounts} (the image is the unit of resampling) and their cluster-bootstrap
 * intervals. A control's draws are pooled per image (the mean of their numerators; the denominators are the same
 * units), so each control is one condition paired with the real edit on the same images.
 */
final class ProtocolStatistics {

    /** Which rate. */
    enum Measure {
        /** Changed units of the target (segmentation: patches of truth c in images with c; classification: images of c). */
        TARGET(ProtocolTally.TARGET_CHANGED, ProtocolTally.TARGET),
        /** Changed other units of the same images (classification: images of other classes). */
        OFF_TARGET(ProtocolTally.OTHER_CHANGED, ProtocolTally.OTHER),
        /** Changed units of images without c, the edit on every patch (segmentation only). */
        COLLATERAL(ProtocolTally.COLLATERAL_CHANGED, ProtocolTally.COLLATERAL);

        final int num;
        final int den;

        Measure(int num, int den) {
            this.num = num;
            this.den = den;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final ProtocolTally t;
    private final ControlSlots slots;
    private final int used;
    private final ClusterBootstrap bootstrap;
    private final long seed;

    ProtocolStatistics(ProtocolTally tally, ControlSlots slots, int used, int resamples, long seed) {
        this.t = tally;
        this.slots = slots;
        this.used = used;
        this.bootstrap = new ClusterBootstrap(new ClusterBootstrap.Options(resamples, 0.95, seed));
        this.seed = seed;
    }

    /** Per-image counts of one class (group), pooled over a condition's draws. */
    ImageCounts ofClass(int j, Condition c, Measure m) {
        double[] num = new double[used];
        double[] den = new double[used];
        fill(j, c, m, num, den, 0, 1);
        return new ImageCounts(used, 1, num, den);
    }

    /** Per-image counts with one group per class, for micro and macro rates over classes. */
    ImageCounts overClasses(Condition c, Measure m) {
        double[] num = new double[used * t.classes];
        double[] den = new double[used * t.classes];
        for (int j = 0; j < t.classes; j++) {
            fill(j, c, m, num, den, j, t.classes);
        }
        return new ImageCounts(used, t.classes, num, den);
    }

    /** Δp(c) on the images labelled c (classification), pooled over draws; groups = classes when {@code j} is −1. */
    ImageCounts deltaP(int j, Condition c) {
        int groups = j < 0 ? t.classes : 1;
        double[] num = new double[used * groups];
        double[] den = new double[used * groups];
        for (int g = 0; g < groups; g++) {
            int cls = j < 0 ? g : j;
            for (int i = 0; i < used; i++) {
                if (t.count(cls, i, 0, ProtocolTally.TARGET) == 0) {
                    continue;
                }
                double s = 0;
                for (int k = slots.first(c); k < slots.first(c) + slots.draws(c); k++) {
                    s += t.deltaP[t.cell(cls, i, k)];
                }
                num[i * groups + g] = s / slots.draws(c);
                den[i * groups + g] = 1;
            }
        }
        return new ImageCounts(used, groups, num, den);
    }

    private void fill(int j, Condition c, Measure m, double[] num, double[] den, int group, int groups) {
        int first = slots.first(c);
        int draws = slots.draws(c);
        for (int i = 0; i < used; i++) {
            double s = 0;
            for (int k = first; k < first + draws; k++) {
                s += t.count(j, i, k, m.num);
            }
            num[i * groups + group] = s / draws;
            den[i * groups + group] = t.count(j, i, 0, m.den);
        }
    }

    /** The micro-rate interval of one class. */
    Interval interval(ImageCounts counts) {
        return bootstrap.microRate(counts);
    }

    /** The micro and macro intervals over classes. */
    Interval[] microMacro(ImageCounts counts) {
        return new Interval[] {bootstrap.microRate(counts), bootstrap.macroRate(counts)};
    }

    /** The paired micro and macro intervals of real − control over classes. */
    Interval[] difference(ImageCounts real, ImageCounts control) {
        return new Interval[] {bootstrap.microDifference(real, control), bootstrap.macroDifference(real, control)};
    }

    /** The paired micro interval of real − control of one class. */
    Interval classDifference(ImageCounts real, ImageCounts control) {
        return bootstrap.microDifference(real, control);
    }

    /**
     * ΔIoU of class j under a condition (IoU pooled over the draws' counts), with its interval: IoU = Σ intersection /
     * Σ union over the images, after minus before.
     */
    Interval deltaIou(int j, Condition c) {
        int first = slots.first(c);
        int draws = slots.draws(c);
        double[] inter = new double[used];
        double[] union = new double[used];
        double[] interB = new double[used];
        double[] unionB = new double[used];
        for (int i = 0; i < used; i++) {
            for (int k = first; k < first + draws; k++) {
                int at = t.cell(j, i, k) * 3;
                inter[i] += (double) t.iouAfter[at] / draws;
                union[i] += (double) (t.iouAfter[at + 1] + t.iouAfter[at + 2] - t.iouAfter[at]) / draws;
            }
            int b = (j * t.images + i) * 3;
            interB[i] = t.iouBefore[b];
            unionB[i] = t.iouBefore[b + 1] + t.iouBefore[b + 2] - t.iouBefore[b];
        }
        ClusterBootstrap.Statistic stat = w -> ratio(inter, union, w) - ratio(interB, unionB, w);
        return bootstrap.interval(used, stat, stat.of(ones()));
    }

    private int[] ones() {
        int[] w = new int[used];
        java.util.Arrays.fill(w, 1);
        return w;
    }

    private static double ratio(double[] a, double[] b, int[] w) {
        double n = 0;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            n += w[i] * a[i];
            d += w[i] * b[i];
        }
        return d > 0 ? n / d : Double.NaN;
    }

    /**
     * The paired sign-flip test of real against a control for class j, on the images that hold the target: per image
     * the difference of the changed target units (segmentation) or of Δp(c) (classification).
     */
    PairedTest test(int j, Condition control, boolean segmentation) {
        ImageCounts real = segmentation ? ofClass(j, Condition.REAL, Measure.TARGET) : deltaP(j, Condition.REAL);
        ImageCounts ctrl = segmentation ? ofClass(j, control, Measure.TARGET) : deltaP(j, control);
        int n = 0;
        for (int i = 0; i < used; i++) {
            n += real.den()[i] > 0 ? 1 : 0;
        }
        double[] d = new double[n];
        for (int i = 0, k = 0; i < used; i++) {
            if (real.den()[i] > 0) {
                d[k++] = real.num()[i] - ctrl.num()[i];
            }
        }
        return SignFlipTest.test(d, SignFlipTest.DEFAULT_DRAWS, seed + j);
    }
}
