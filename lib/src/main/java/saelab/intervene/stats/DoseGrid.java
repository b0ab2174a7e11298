package saelab.intervene.stats;

import java.util.Arrays;
import java.util.Locale;

/**
 * The doses of a dose-response curve, in units of the edited latent's maximum observed activation (the {@code max}
 * unit of an edit: dose 2 with operation {@code set} sets the latent to twice the largest value it reached on the
 * analysed data; dose 0 with {@code set} is ablation).
 *
 * <p><b>The default grid</b>, {@code −20, −10, −5, −2, −1, 0, 1, 2, 5, 10, 20}, is the 1-2-5 series (the
 * roughly logarithmic steps of instrument ranges) mirrored around 0: it resolves the natural range (|dose| ≤ 1,
 * values the latent takes on real images) as finely as the strong-steering range (up to 20× the maximum, where an
 * edit saturates the head and off-target damage appears), shows adding (positive) and pushing against (negative)
 * the direction on one axis, includes 0, and costs 11 forward passes per image and class.
 *
 * <p>Text forms ({@link #parse}): {@code from:to:count}, {@code count} values evenly spaced from {@code from} to
 * {@code to} inclusive (as NumPy's {@code linspace}; {@code -20:20:9} is −20, −15, …, 20), or a comma-separated list
 * ({@code -5,0,5}). The values are sorted ascending; duplicates and non-finite values are refused.
 */
public final class DoseGrid {

    /** The most doses a grid may hold (each costs a forward pass per image). */
    public static final int MAX_DOSES = 1001;

    private static final double[] DEFAULT_DOSES = {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20};

    private final double[] doses;

    private DoseGrid(double[] doses) {
        this.doses = doses;
    }

    /** The default grid, −20 … 20 in the 1-2-5 series. */
    public static DoseGrid defaults() {
        return new DoseGrid(DEFAULT_DOSES.clone());
    }

    /**
     * A grid of the given doses, sorted.
     *
     * @throws IllegalArgumentException when a dose is not finite, appears twice, or there are none or too many
     */
    public static DoseGrid of(double... doses) {
        return of(doses, "the dose grid");
    }

    private static DoseGrid of(double[] doses, String source) {
        if (doses.length == 0 || doses.length > MAX_DOSES) {
            throw new IllegalArgumentException(source + " has " + doses.length + " doses; expected between 1 and " + MAX_DOSES);
        }
        double[] sorted = doses.clone();
        for (double v : sorted) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(source + " holds the dose " + v + "; expected finite numbers");
            }
        }
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException(source + " lists the dose " + format(sorted[i]) + " twice; expected distinct doses");
            }
        }
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] += 0.0; // −0.0 → 0.0, so that 0 prints as 0
        }
        return new DoseGrid(sorted);
    }

    /**
     * Parses {@code from:to:count} or a comma-separated list.
     *
     * @param text   the text
     * @param source what the text is, for the error (e.g. "--doses")
     * @throws IllegalArgumentException with one sentence naming {@code source} when the text is not a grid
     */
    public static DoseGrid parse(String text, String source) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(source + " is empty; expected doses as from:to:count (e.g. -20:20:9) or a list (e.g. -5,0,5)");
        }
        if (t.indexOf(':') >= 0) {
            String[] parts = t.split(":", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException(source + " is '" + t + "'; expected from:to:count with three parts, e.g. -20:20:9");
            }
            double from = number(parts[0], source, t);
            double to = number(parts[1], source, t);
            int count;
            try {
                count = Integer.parseInt(parts[2].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " is '" + t + "'; its count '" + parts[2].strip() + "' is not a whole number");
            }
            if (count < 2 || count > MAX_DOSES) {
                throw new IllegalArgumentException(source + " is '" + t + "'; expected a count between 2 and " + MAX_DOSES + ", got " + count);
            }
            if (!(from < to)) {
                throw new IllegalArgumentException(source + " is '" + t + "'; expected from below to, got from " + format(from) + " and to " + format(to));
            }
            double[] v = new double[count];
            for (int k = 0; k < count; k++) {
                v[k] = k == count - 1 ? to : from + (to - from) * k / (count - 1);
            }
            return of(v, source);
        }
        String[] parts = t.split(",", -1);
        if (parts.length > MAX_DOSES) {
            throw new IllegalArgumentException(source + " lists " + parts.length + " doses; expected at most " + MAX_DOSES);
        }
        double[] v = new double[parts.length];
        for (int k = 0; k < parts.length; k++) {
            v[k] = number(parts[k], source, t);
        }
        return of(v, source);
    }

    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

    private static double number(String part, String source, String text) {
        String p = part.strip();
        double v = DECIMAL.matcher(p).matches() ? Double.parseDouble(p) : Double.NaN;
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(source + " is '" + text + "'; '" + p + "' is not a finite decimal number");
        }
        return v;
    }

    /** The doses, ascending (a copy). */
    public double[] doses() {
        return doses.clone();
    }

    /** The number of doses. */
    public int size() {
        return doses.length;
    }

    /** Dose k, ascending order. */
    public double dose(int k) {
        return doses[k];
    }

    /** The grid as a comma-separated list, which {@link #parse} reads back. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (double d : doses) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(format(d));
        }
        return b.toString();
    }

    /** A dose as the grid's text writes it: an integer without a decimal point, else Java's shortest form. */
    public static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
