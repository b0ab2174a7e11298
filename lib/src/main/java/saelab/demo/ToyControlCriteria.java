package saelab.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.intervene.ControlSlots.Condition;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The toy world's acceptance criteria for the segmentation control run (issue 14), fixed before the numbers were looked
 * at and never tuned since. The toy world's concepts are known, so suppressing (ablating) the latent chosen for a colour
 * on the training world must, on the held-out world:
 * <ol>
 *   <li><b>beat both random controls per colour</b>: for at least two thirds of the colours (rounded up), the 95%
 *       cluster-bootstrap interval of the paired difference real − control of the target change rate lies above 0 for
 *       the frequency-matched random latent <i>and</i> for the norm-matched random direction;</li>
 *   <li><b>far more</b>: the macro target change rate (the mean over colours of the fraction of the colour's patches whose
 *       predicted class changes) of the real edit is at least three times that of each random control;</li>
 *   <li><b>specific</b>: the macro off-target change rate of the real edit (other patches of the same images) is at most
 *       0.05.</li>
 * </ol>
 * Read from the protocol's {@code per-class.csv} ({@link saelab.intervene.ProtocolReport}); a colour in no held-out image
 * (no target rate) is left out, and the macro rates average the colours where the rate is defined.
 */
public final class ToyControlCriteria {

    /** Share of the colours that must beat both random controls. */
    public static final double MOST = 2.0 / 3.0;
    /** How many times the random controls' macro target rate the real edit's must reach. */
    public static final double FAR_MORE = 3.0;
    /** The largest macro off-target change rate of the real edit. */
    public static final double SMALL_OFF_TARGET = 0.05;

    /**
     * One criterion's outcome.
     *
     * @param name     short name
     * @param rule     the rule in words
     * @param measured what was measured, in words
     * @param passed   whether it holds
     */
    public record Criterion(String name, String rule, String measured, boolean passed) {}

    /**
     * The criteria of one run.
     *
     * @param criteria each criterion
     * @param colours  per colour: name, real target rate, and whether it beat both random controls
     */
    public record Outcome(List<Criterion> criteria, List<Map<String, Object>> colours) {

        /** Whether every criterion holds. */
        public boolean passed() {
            return criteria.stream().allMatch(Criterion::passed);
        }

        /** A plain-text table, one line per criterion. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (Criterion c : criteria) {
                b.append(c.passed() ? "PASS  " : "FAIL  ").append(c.name()).append(": ").append(c.rule()).append("; measured ")
                        .append(c.measured()).append('\n');
            }
            return b.toString();
        }
    }

    private ToyControlCriteria() {}

    /**
     * Evaluates the criteria on a segmentation control folder.
     *
     * @throws IllegalArgumentException when {@code per-class.csv} is missing, lacks a column, or has no random controls
     */
    public static Outcome evaluate(Path controlDir) throws IOException {
        Path csv = controlDir.resolve("per-class.csv");
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException(controlDir + " has no per-class.csv; expected the folder of a control segment run");
        }
        Table t = Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).header(true).columnTypes(n -> ColumnType.STRING));
        for (String col : List.of("class", "name", "condition", "target_rate", "off_target_rate", "real_minus_control_lower")) {
            if (!t.columnNames().contains(col)) {
                throw new IllegalArgumentException(csv + " has no column '" + col + "'; expected the per-class.csv of saelab control");
            }
        }
        Map<String, Map<String, Map<String, String>>> byClass = new LinkedHashMap<>();
        for (int r = 0; r < t.rowCount(); r++) {
            Map<String, String> row = new LinkedHashMap<>();
            for (String col : t.columnNames()) {
                row.put(col, t.stringColumn(col).get(r));
            }
            byClass.computeIfAbsent(row.get("name"), k -> new LinkedHashMap<>()).put(row.get("condition"), row);
        }
        String rl = Condition.RANDOM_LATENT.id();
        String rd = Condition.RANDOM_DIRECTION.id();
        String real = Condition.REAL.id();
        List<Map<String, Object>> colours = new ArrayList<>();
        int beating = 0;
        double[] realTarget = new double[2];
        double[] rlTarget = new double[2];
        double[] rdTarget = new double[2];
        double[] realOff = new double[2];
        for (var e : byClass.entrySet()) {
            Map<String, Map<String, String>> rows = e.getValue();
            if (!rows.containsKey(real) || !rows.containsKey(rl) || !rows.containsKey(rd)) {
                throw new IllegalArgumentException(csv + " lacks the " + real + ", " + rl + " or " + rd + " rows of class '" + e.getKey()
                        + "'; the criteria need both random controls");
            }
            if (blank(rows.get(real).get("target_rate"))) {
                continue; // the colour is in no held-out image: nothing was measured, so it is left out of every criterion
            }
            boolean beats = aboveZero(rows.get(rl).get("real_minus_control_lower")) && aboveZero(rows.get(rd).get("real_minus_control_lower"));
            beating += beats ? 1 : 0;
            double target = number(rows.get(real), "target_rate", csv);
            add(realTarget, target);
            add(rlTarget, optional(rows.get(rl).get("target_rate")));
            add(rdTarget, optional(rows.get(rd).get("target_rate")));
            add(realOff, optional(rows.get(real).get("off_target_rate"))); // undefined when the colour covers every patch
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", e.getKey());
            c.put("real_target_rate", target);
            c.put("beats_both_random_controls", beats);
            colours.add(c);
        }
        int n = colours.size();
        if (n == 0) {
            throw new IllegalArgumentException(csv + " has no class with a measured target rate");
        }
        int need = (int) Math.ceil(MOST * n - 1e-9);
        double realT = mean(realTarget);
        double rlT = mean(rlTarget);
        double rdT = mean(rdTarget);
        double off = mean(realOff);
        List<Criterion> out = new ArrayList<>();
        out.add(new Criterion("beats both random controls", String.format(Locale.ROOT,
                "at least %d of %d colours with the 95%% interval of real - control above 0 for both random controls", need, n),
                beating + " of " + n, beating >= need));
        out.add(new Criterion("far more", String.format(Locale.ROOT, "macro target change rate >= %.0fx each random control's", FAR_MORE),
                String.format(Locale.ROOT, "real %.4f, random latent %.4f, random direction %.4f", realT, rlT, rdT),
                realT > 0 && realT >= FAR_MORE * rlT && realT >= FAR_MORE * rdT));
        out.add(new Criterion("specific", String.format(Locale.ROOT, "macro off-target change rate of the real edit <= %.2f", SMALL_OFF_TARGET),
                String.format(Locale.ROOT, "%.4f", off), off <= SMALL_OFF_TARGET));
        return new Outcome(List.copyOf(out), List.copyOf(colours));
    }

    /** Adds a defined value to a running {sum, count}. */
    private static void add(double[] sumCount, double v) {
        if (!Double.isNaN(v)) {
            sumCount[0] += v;
            sumCount[1]++;
        }
    }

    /** The mean of the defined values (NaN when none: then a comparison with it is false, so the criterion fails). */
    private static double mean(double[] sumCount) {
        return sumCount[1] == 0 ? Double.NaN : sumCount[0] / sumCount[1];
    }

    /** A rate, or NaN when the table leaves it undefined (blank). */
    private static double optional(String v) {
        try {
            return blank(v) ? Double.NaN : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static boolean blank(String v) {
        return v == null || v.isBlank() || v.equalsIgnoreCase("nan");
    }

    /** An interval bound above 0; a blank (undefined) bound is not. */
    private static boolean aboveZero(String bound) {
        try {
            return bound != null && !bound.isBlank() && Double.parseDouble(bound) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double number(Map<String, String> row, String col, Path csv) {
        String v = row.get(col);
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(csv + ": " + col + " of class '" + row.get("name") + "' (" + row.get("condition") + ") is '" + v
                    + "'; expected a number");
        }
    }
}
