package saelab.intervene;

import java.util.List;
import java.util.Locale;
import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.stats.DoseGrid;

/**
 * Dose-response counts: per class, dose and slot, the changed and total target and off-target units summed over the
 * images (segmentation: the patches of truth c and the other patches of the images with c, the edit setting the latent
 * to dose × its maximum on the class's patches; classification: top-1 flips of the images labelled c and of the other
 * images, the edit on every patch). A control's rate at a dose pools its draws (Σ changed / Σ units over draws).
 * Memory 32·C·K·S bytes for C classes, K doses and S slots.
 */
public final class DoseResponse {

    private final List<Integer> classIds;
    private final DoseGrid grid;
    private final ControlSlots slots;
    /** [classes][doses][slots][targetChanged, target, otherChanged, other]. */
    private final long[] counts;

    DoseResponse(List<Integer> classIds, DoseGrid grid, ControlSlots slots) {
        this.classIds = List.copyOf(classIds);
        this.grid = grid;
        this.slots = slots;
        this.counts = new long[Math.multiplyExact(Math.multiplyExact(classIds.size(), grid.size()), slots.size() * 4)];
    }

    void add(int j, int k, int s, long targetChanged, long target, long otherChanged, long other) {
        int o = ((j * grid.size() + k) * slots.size() + s) * 4;
        counts[o] += targetChanged;
        counts[o + 1] += target;
        counts[o + 2] += otherChanged;
        counts[o + 3] += other;
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

    /** {@code dose-response.csv}: one row per class, condition and dose, then the macro rows (class {@code macro}). */
    public String csv(List<String> classNames) {
        StringBuilder b = new StringBuilder("class,name,condition,draws,dose,target_rate,off_target_rate,target_units,other_units\n");
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
                    b.append(classIds.get(j)).append(',').append(ProtocolReport.csvText(classNames.get(j))).append(',').append(c.id())
                            .append(',').append(slots.draws(c)).append(',').append(dose(grid.dose(k))).append(',')
                            .append(num(rate(j, k, c, false))).append(',').append(num(rate(j, k, c, true))).append(',').append(t)
                            .append(',').append(o).append('\n');
                }
            }
        }
        for (Condition c : slots.conditions()) {
            for (int k = 0; k < grid.size(); k++) {
                b.append("macro,,").append(c.id()).append(',').append(slots.draws(c)).append(',').append(dose(grid.dose(k))).append(',')
                        .append(num(macroRate(k, c, false))).append(',').append(num(macroRate(k, c, true))).append(",,\n");
            }
        }
        return b.toString();
    }

    /** A dose as the grid's text form writes it (whole numbers without a decimal point). */
    private static String dose(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
