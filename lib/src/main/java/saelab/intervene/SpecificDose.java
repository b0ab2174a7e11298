package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The most specific dose of a control run's dose-response: the dose of the grid at which the real edit's macro target
 * change rate exceeds the larger of the two random controls' (frequency-matched random latents, norm-matched random
 * directions) by the most, read from {@code dose-response-macro.csv} ({@link DoseResponse}). Ties go to the dose of
 * smaller magnitude, then to the negative one. This is the rule the section-5 figures use to pick the edit they draw,
 * fixed in code so that the figure does not depend on looking at the results.
 *
 * @param dose          the chosen dose, in units of the latent's maximum activation (0 = ablation)
 * @param realRate      the real edit's macro target change rate at that dose
 * @param randomLatent  the random-latent control's rate at that dose
 * @param randomDirection the random-direction control's rate at that dose
 */
public record SpecificDose(double dose, double realRate, double randomLatent, double randomDirection) {

    /** The file a control run with doses writes. */
    public static final String FILE = "dose-response-macro.csv";

    /** The margin of the real edit over the stronger random control. */
    public double margin() {
        return realRate - Math.max(randomLatent, randomDirection);
    }

    /**
     * Picks the dose of {@code <dir>/dose-response-macro.csv}.
     *
     * @throws IllegalArgumentException naming the file when it is missing, lacks a column, holds a rate or dose that is not a
     *                                  number, or has no dose with the real edit and both random controls
     */
    public static SpecificDose of(Path dir) throws IOException {
        Path csv = dir.resolve(FILE);
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException(dir + " has no " + FILE + "; the control run ran without doses");
        }
        Table t;
        try {
            t = Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).header(true).columnTypes(n -> ColumnType.STRING));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(csv + " is not a readable CSV file: " + e.getMessage(), e);
        }
        for (String col : List.of("condition", "dose", "target_rate")) {
            if (!t.columnNames().contains(col)) {
                throw new IllegalArgumentException(csv + " has no column '" + col + "'; expected the dose-response-macro.csv of saelab control");
            }
        }
        String real = ControlSlots.Condition.REAL.id();
        String rl = ControlSlots.Condition.RANDOM_LATENT.id();
        String rd = ControlSlots.Condition.RANDOM_DIRECTION.id();
        Map<Double, Map<String, Double>> byDose = new LinkedHashMap<>();
        for (int r = 0; r < t.rowCount(); r++) {
            String condition = t.stringColumn("condition").get(r);
            if (!List.of(real, rl, rd).contains(condition)) {
                continue;
            }
            double dose = number(t, r, "dose", csv);
            String rate = t.stringColumn("target_rate").get(r);
            if (rate == null || rate.isBlank()) {
                continue; // a class measured nowhere at this dose
            }
            byDose.computeIfAbsent(dose, k -> new LinkedHashMap<>()).put(condition, number(t, r, "target_rate", csv));
        }
        SpecificDose best = null;
        for (var e : byDose.entrySet()) {
            Map<String, Double> m = e.getValue();
            if (!m.containsKey(real) || !m.containsKey(rl) || !m.containsKey(rd)) {
                continue;
            }
            SpecificDose s = new SpecificDose(e.getKey(), m.get(real), m.get(rl), m.get(rd));
            if (best == null || s.margin() > best.margin() || s.margin() == best.margin() && better(s.dose(), best.dose())) {
                best = s;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(csv + " has no dose with rows for " + real + ", " + rl + " and " + rd
                    + "; the rule compares the real edit with both random controls");
        }
        return best;
    }

    /** Smaller magnitude first, then the negative dose. */
    private static boolean better(double a, double b) {
        return Math.abs(a) < Math.abs(b) || Math.abs(a) == Math.abs(b) && a < b;
    }

    private static double number(Table t, int r, String col, Path csv) {
        String v = t.stringColumn(col).get(r);
        try {
            double x = Double.parseDouble(v == null ? "" : v.strip());
            if (Double.isFinite(x)) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(csv + ": row " + (r + 1) + ", field '" + col + "' is '" + v + "'; expected a finite number");
    }
}
