package saelab.intervene;

import java.util.List;
import java.util.Locale;
import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.DoseGrid;
import saelab.intervene.stats.ImageCounts;
import saelab.intervene.stats.Interval;
import saelab.io.CsvField;

/**
 * Dose-response counts: per class, dose and slot, the changed and total target and off-target units summed over the
 * images (segmentation: the patches of truth c and the other patches of the images with c, the edit setting the latent
 * to dose × its maximum on the class's patches; classification: top-1 flips of the images labelled c and of the other
 * images, the edit on every patch). A control's rate at a dose pools its draws (Σ changed / Σ units over draws).
 *
 * <p>The counts are also kept per image (pooled over a condition's draws), so that every rate gets a 95%
 * cluster-bootstrap interval with the image as the unit of resampling ({@link ClusterBootstrap}, as the per-class
 * table): {@link #computeIntervals} once the images are measured, then {@link #interval} and {@link #macroInterval}.
 * Memory 32·C·K·S + 8·C·K·V·N + 8·C·N bytes for C classes, K doses, S slots, V conditions and N images (500 images,
 * 150 classes, 11 doses and 4 conditions: 26 MB).
 */
public final class DoseResponse {

    private final List<Integer> classIds;
    private final DoseGrid grid;
    private final ControlSlots slots;
    private final int images;
    /** [classes][doses][slots][targetChanged, target, otherChanged, other]. */
    private final long[] counts;
    /** The condition (index into {@code slots.conditions()}) of each slot. */
    private final int[] conditionOf;
    /** [classes][doses][conditions][images][targetChanged, otherChanged], summed over the condition's draws. */
    private final int[] perImage;
    /** [classes][images][target, other] units (the same at every dose and slot). */
    private final int[] units;
    /** [classes][doses][conditions][target, off-target] intervals, or null before {@link #computeIntervals}. */
    private Interval[] intervals;
    /** [doses][conditions][target, off-target] intervals of the macro rates. */
    private Interval[] macroIntervals;

    /**
     * @param images the most images measured (image indices 0..images−1)
     */
    DoseResponse(List<Integer> classIds, DoseGrid grid, ControlSlots slots, int images) {
        this.classIds = List.copyOf(classIds);
        this.grid = grid;
        this.slots = slots;
        this.images = images;
        int c = classIds.size();
        this.counts = new long[Math.multiplyExact(Math.multiplyExact(c, grid.size()), slots.size() * 4)];
        List<Condition> conditions = slots.conditions();
        this.conditionOf = new int[slots.size()];
        for (int v = 0; v < conditions.size(); v++) {
            for (int s = slots.first(conditions.get(v)); s < slots.first(conditions.get(v)) + slots.draws(conditions.get(v)); s++) {
                conditionOf[s] = v;
            }
        }
        this.perImage = new int[Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(c, grid.size()), conditions.size()),
                Math.multiplyExact(images, 2))];
        this.units = new int[Math.multiplyExact(Math.multiplyExact(c, images), 2)];
    }

    /** Adds the counts of class index j, dose k, slot s on image i (the units are the same for every dose and slot of an image). */
    void add(int j, int k, int s, int i, int targetChanged, int target, int otherChanged, int other) {
        int o = ((j * grid.size() + k) * slots.size() + s) * 4;
        counts[o] += targetChanged;
        counts[o + 1] += target;
        counts[o + 2] += otherChanged;
        counts[o + 3] += other;
        int p = cell(j, k, conditionOf[s], i) * 2;
        perImage[p] += targetChanged;
        perImage[p + 1] += otherChanged;
        units[(j * images + i) * 2] = target;
        units[(j * images + i) * 2 + 1] = other;
    }

    private int cell(int j, int k, int v, int i) {
        return ((j * grid.size() + k) * slots.conditions().size() + v) * images + i;
    }

    /**
     * Computes the 95% cluster-bootstrap intervals of every rate and macro rate over the first {@code used} images.
     *
     * @param used    the images measured (≥ 1)
     * @param options the bootstrap's replicates, level and seed
     */
    void computeIntervals(int used, ClusterBootstrap.Options options) {
        ClusterBootstrap bootstrap = new ClusterBootstrap(options);
        List<Condition> conditions = slots.conditions();
        int n = classIds.size();
        intervals = new Interval[n * grid.size() * conditions.size() * 2];
        macroIntervals = new Interval[grid.size() * conditions.size() * 2];
        for (int k = 0; k < grid.size(); k++) {
            for (int v = 0; v < conditions.size(); v++) {
                int draws = slots.draws(conditions.get(v));
                for (int m = 0; m < 2; m++) {
                    double[] num = new double[used * n];
                    double[] den = new double[used * n];
                    for (int j = 0; j < n; j++) {
                        double[] cNum = new double[used];
                        double[] cDen = new double[used];
                        for (int i = 0; i < used; i++) {
                            cNum[i] = (double) perImage[cell(j, k, v, i) * 2 + m] / draws;
                            cDen[i] = units[(j * images + i) * 2 + m];
                            num[i * n + j] = cNum[i];
                            den[i * n + j] = cDen[i];
                        }
                        intervals[((j * grid.size() + k) * conditions.size() + v) * 2 + m] = bootstrap.microRate(ImageCounts.of(cNum, cDen));
                    }
                    macroIntervals[(k * conditions.size() + v) * 2 + m] = bootstrap.macroRate(new ImageCounts(used, n, num, den));
                }
            }
        }
    }

    /** The interval of {@link #rate}, or null before {@link #computeIntervals}. */
    public Interval interval(int j, int k, Condition c, boolean offTarget) {
        return intervals == null ? null
                : intervals[((j * grid.size() + k) * slots.conditions().size() + slots.conditions().indexOf(c)) * 2 + (offTarget ? 1 : 0)];
    }

    /** The interval of {@link #macroRate}, or null before {@link #computeIntervals}. */
    public Interval macroInterval(int k, Condition c, boolean offTarget) {
        return macroIntervals == null ? null
                : macroIntervals[(k * slots.conditions().size() + slots.conditions().indexOf(c)) * 2 + (offTarget ? 1 : 0)];
    }

    /** The dose grid. */
    public DoseGrid grid() {
        return grid;
    }

    /** The conditions that ran. */
    public List<Condition> conditions() {
        return slots.conditions();
    }

    /** The target rate (offTarget false) or off-target rate (true) of class index j, dose k, pooled over a condition's draws. */
    public double rate(int j, int k, Condition c, boolean offTarget) {
        long changed = 0;
        long total = 0;
        for (int s = slots.first(c); s < slots.first(c) + slots.draws(c); s++) {
            int o = ((j * grid.size() + k) * slots.size() + s) * 4 + (offTarget ? 2 : 0);
            changed += counts[o];
            total += counts[o + 1];
        }
        return total == 0 ? Double.NaN : (double) changed / total;
    }

    /** The mean over classes (those with units at that dose) of {@link #rate}: the macro curve. */
    public double macroRate(int k, Condition c, boolean offTarget) {
        double sum = 0;
        int n = 0;
        for (int j = 0; j < classIds.size(); j++) {
            double r = rate(j, k, c, offTarget);
            if (!Double.isNaN(r)) {
                sum += r;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * {@code dose-response.csv}: one row per class, condition and dose, then the macro rows (class {@code macro}); each
     * rate with the lower and upper bounds of its 95% cluster-bootstrap interval (empty before {@link #computeIntervals}
     * or when undefined).
     */
    public String csv(List<String> classNames) {
        StringBuilder b = new StringBuilder("class,name,condition,draws,dose,target_rate,target_lower,target_upper,off_target_rate,"
                + "off_target_lower,off_target_upper,target_units,other_units\n");
        for (int j = 0; j < classIds.size(); j++) {
            for (Condition c : slots.conditions()) {
                for (int k = 0; k < grid.size(); k++) {
                    long t = 0;
                    long o = 0;
                    for (int s = slots.first(c); s < slots.first(c) + slots.draws(c); s++) {
                        int at = ((j * grid.size() + k) * slots.size() + s) * 4;
                        t += counts[at + 1];
                        o += counts[at + 3];
                    }
                    b.append(classIds.get(j)).append(',').append(CsvField.of(classNames.get(j))).append(',').append(c.id())
                            .append(',').append(slots.draws(c)).append(',').append(dose(grid.dose(k)));
                    rate(b, rate(j, k, c, false), interval(j, k, c, false));
                    rate(b, rate(j, k, c, true), interval(j, k, c, true));
                    b.append(',').append(t).append(',').append(o).append('\n');
                }
            }
        }
        for (Condition c : slots.conditions()) {
            for (int k = 0; k < grid.size(); k++) {
                b.append("macro,,").append(c.id()).append(',').append(slots.draws(c)).append(',').append(dose(grid.dose(k)));
                rate(b, macroRate(k, c, false), macroInterval(k, c, false));
                rate(b, macroRate(k, c, true), macroInterval(k, c, true));
                b.append(",,\n");
            }
        }
        return b.toString();
    }

    private static void rate(StringBuilder b, double rate, Interval i) {
        b.append(',').append(num(rate)).append(',').append(i == null ? "" : num(i.lower())).append(',').append(i == null ? "" : num(i.upper()));
    }

    /** A dose as the grid's text form writes it (whole numbers without a decimal point). */
    private static String dose(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
