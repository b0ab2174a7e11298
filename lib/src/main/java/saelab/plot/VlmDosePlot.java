package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The VLM protocol's swap dose-response ({@code saelab control vlm --doses}, {@code saelab.intervene.VlmDoseReport}):
 * against the dose of the added class's latent (× its maximum), the rate of answering the added class c' (solid) and
 * of any changed answer (dashed), the real edit and each control in one colour over bands of their 95%
 * cluster-bootstrap intervals, drawn by {@link DoseResponsePlot}. Written as {@code vlm-dose-response.png/pdf/csv}.
 */
public final class VlmDosePlot {

    /** The file stem. */
    public static final String ID = "vlm-dose-response";

    private VlmDosePlot() {}

    /** Writes the PNG, PDF and CSV of a run's summary into {@code dir}; nothing when the run has no dose-response. */
    public static List<Path> write(String title, Map<String, Object> summary, Path dir) throws IOException {
        return summary.get("dose_response") == null ? List.of() : figure(title, table(summary)).write(dir);
    }

    /**
     * The plotted numbers of a summary's {@code dose_response}, one row per condition and dose, in the columns of
     * {@link DoseResponsePlot#table}: {@code target_*} the rate of answering c', {@code off_target_*} the change rate.
     *
     * @throws IllegalArgumentException when the summary has no dose-response
     */
    @SuppressWarnings("unchecked")
    public static Table table(Map<String, Object> summary) {
        Map<String, Object> dose = (Map<String, Object>) summary.get("dose_response");
        if (dose == null || !(dose.get("rows") instanceof List<?> rows)) {
            throw new IllegalArgumentException("the VLM protocol summary has no 'dose_response'; expected the summary.json of saelab control vlm"
                    + " run with --doses");
        }
        List<String> condition = new ArrayList<>();
        List<double[]> values = new ArrayList<>(); // dose, to-target rate, lower, upper, change rate, lower, upper
        for (Object o : rows) {
            Map<String, Object> row = (Map<String, Object>) o;
            Map<String, Object> to = (Map<String, Object>) row.get("to_target_rate_micro");
            Map<String, Object> ch = (Map<String, Object>) row.get("change_rate_micro");
            condition.add(String.valueOf(row.get("condition")));
            values.add(new double[] {number(row.get("dose")), number(to.get("estimate")), number(to.get("lower")), number(to.get("upper")),
                number(ch.get("estimate")), number(ch.get("lower")), number(ch.get("upper"))});
        }
        return Table.create(ID, StringColumn.create("condition", condition), column("dose", values, 0), column("target_rate", values, 1),
                column("target_lower", values, 2), column("target_upper", values, 3), column("off_target_rate", values, 4),
                column("off_target_lower", values, 5), column("off_target_upper", values, 6));
    }

    /** The chart of a {@link #table} (or of {@code vlm-dose-response.csv} read back). */
    public static ChartFigure figure(String title, Table data) {
        return DoseResponsePlot.figure(data, new DoseResponsePlot.Labels(ID, title, "dose of the added class's latent (x its max; its own set to 0)",
                "rate over questions (95% interval)", "answer is c'", "answer changed"));
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static DoubleColumn column(String name, List<double[]> values, int which) {
        return DoubleColumn.create(name, values.stream().mapToDouble(v -> v[which]).toArray());
    }
}
