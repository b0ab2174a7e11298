package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.DoseResponse;
import saelab.intervene.stats.Interval;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The dose-response plot of a protocol run ({@code saelab control}): the macro target and off-target change rates
 * (the mean over classes) against the dose in units of the latent's maximum, the real edit and each control in one
 * colour, target solid and off-target dashed, on one plot, each curve over a translucent band of its 95%
 * cluster-bootstrap interval (image as the unit, {@link DoseResponse#macroInterval}) when the run computed them.
 * Written as {@code dose-response-macro.png/pdf/csv}; the per-class numbers are in the run's {@code dose-response.csv}.
 */
public final class DoseResponsePlot {

    /** The file stem. */
    public static final String ID = "dose-response-macro";

    private DoseResponsePlot() {}

    /** Writes the PNG, PDF and CSV into {@code dir}. */
    public static List<Path> write(DoseResponse dose, String unitName, Path dir) throws IOException {
        return figure(table(dose), unitName).write(dir);
    }

    /**
     * The macro curves as a table, one row per condition and dose: {@code condition, dose, target_rate, target_lower,
     * target_upper, off_target_rate, off_target_lower, off_target_upper} (NaN where undefined), as written to
     * {@code dose-response-macro.csv}.
     */
    public static Table table(DoseResponse dose) {
        double[] x = dose.grid().doses();
        List<String> condition = new ArrayList<>();
        List<Double> doses = new ArrayList<>();
        List<Double> bounds = new ArrayList<>(); // target rate, lower, upper, off-target rate, lower, upper per row
        for (Condition c : dose.conditions()) {
            for (int k = 0; k < x.length; k++) {
                condition.add(c.id());
                doses.add(x[k]);
                for (boolean offTarget : new boolean[] {false, true}) {
                    Interval i = dose.macroInterval(k, c, offTarget);
                    bounds.add(dose.macroRate(k, c, offTarget));
                    bounds.add(i == null ? Double.NaN : i.lower());
                    bounds.add(i == null ? Double.NaN : i.upper());
                }
            }
        }
        return Table.create(ID, StringColumn.create("condition", condition),
                DoubleColumn.create("dose", doses.stream().mapToDouble(Double::doubleValue).toArray()),
                column("target_rate", bounds, 0), column("target_lower", bounds, 1), column("target_upper", bounds, 2),
                column("off_target_rate", bounds, 3), column("off_target_lower", bounds, 4), column("off_target_upper", bounds, 5));
    }

    /**
     * What a dose-response plot names: its file stem, title, axis titles and the two measures' legend names (the solid
     * and the dashed curve of each condition).
     *
     * @param id        the file stem
     * @param title     the chart title
     * @param xTitle    the dose axis title
     * @param yTitle    the rate axis title
     * @param solid     the measure drawn solid (the table's {@code target_*} columns)
     * @param dashed    the measure drawn dashed (the table's {@code off_target_*} columns)
     */
    public record Labels(String id, String title, String xTitle, String yTitle, String solid, String dashed) {

        /** The image protocol's labels: target and off-target change rates of {@code unitName} ({@code patch}, {@code top-1}). */
        public static Labels protocol(String unitName) {
            return new Labels(ID, "Dose-response (mean over classes)", "dose (x latent max, operation set)", unitName + " change rate",
                    "target", "off-target");
        }
    }

    /**
     * The plot of a table of {@link #table}'s columns (or the same columns read back from {@code dose-response-macro.csv},
     * which is how a notebook redraws a finished run): conditions in the table's order, doses ascending within each.
     *
     * @param unitName what changes, for the y axis ({@code patch}, {@code top-1})
     * @throws IllegalArgumentException when a column is missing
     */
    public static ChartFigure figure(Table data, String unitName) {
        return figure(data, Labels.protocol(unitName));
    }

    /**
     * The plot of a table of {@link #table}'s columns under other names (the VLM protocol's swap dose-response draws its
     * rate of answering the added class solid and its answer change rate dashed).
     *
     * @throws IllegalArgumentException when a column is missing
     */
    public static ChartFigure figure(Table data, Labels labels) {
        for (String col : List.of("condition", "dose", "target_rate", "target_lower", "target_upper", "off_target_rate", "off_target_lower",
                "off_target_upper")) {
            if (!data.columnNames().contains(col)) {
                throw new IllegalArgumentException("the dose-response table has no column '" + col + "'; expected the columns of "
                        + labels.id() + ".csv");
            }
        }
        XYChart chart = PaperStyle.xyChart(labels.title(), labels.xTitle(), labels.yTitle(), PaperStyle.DOUBLE_COLUMN);
        // the curves fill the plot at both ends of the dose axis, so the legend goes beside it, not on it
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        List<String> conditions = new ArrayList<>(new java.util.LinkedHashSet<>(data.column("condition").asList().stream()
                .map(Object::toString).toList()));
        List<Runnable> lines = new ArrayList<>(); // drawn after every band, so that no band covers a line
        int colour = 0;
        for (String c : conditions) {
            Table rows = data.where(data.stringColumn("condition").isEqualTo(c)).sortAscendingOn("dose");
            double[] x = values(rows, "dose");
            double[] t = values(rows, "target_rate");
            double[] o = values(rows, "off_target_rate");
            java.awt.Color col = PaperStyle.PALETTE[colour++ % PaperStyle.PALETTE.length];
            band(chart, c + " " + labels.solid() + " 95%", x, values(rows, "target_lower"), values(rows, "target_upper"), col);
            band(chart, c + " " + labels.dashed() + " 95%", x, values(rows, "off_target_lower"), values(rows, "off_target_upper"), col);
            lines.add(() -> line(chart, c + " " + labels.solid(), x, t, col, false));
            lines.add(() -> line(chart, c + " " + labels.dashed(), x, o, col, true));
        }
        lines.forEach(Runnable::run);
        return new ChartFigure(labels.id(), chart, data);
    }

    /** A numeric column as doubles (a missing value, as Tablesaw reads an empty CSV field, is NaN). */
    private static double[] values(Table t, String col) {
        double[] v = new double[t.rowCount()];
        for (int r = 0; r < v.length; r++) {
            Object o = t.column(col).get(r);
            v[r] = o instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        return v;
    }

    private static DoubleColumn column(String name, List<Double> bounds, int which) {
        double[] v = new double[bounds.size() / 6];
        for (int r = 0; r < v.length; r++) {
            v[r] = bounds.get(r * 6 + which);
        }
        return DoubleColumn.create(name, v);
    }

    /** A filled polygon from the lower bounds left to right and back along the upper bounds; doses with no interval are skipped. */
    private static void band(XYChart chart, String name, double[] x, double[] lower, double[] upper, java.awt.Color colour) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (Double.isFinite(lower[k]) && Double.isFinite(upper[k])) {
                xs.add(x[k]);
                ys.add(lower[k]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        for (int k = x.length - 1; k >= 0; k--) {
            if (Double.isFinite(lower[k]) && Double.isFinite(upper[k])) {
                xs.add(x[k]);
                ys.add(upper[k]);
            }
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setFillColor(new java.awt.Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 40));
        s.setLineColor(new java.awt.Color(0, 0, 0, 0));
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(false);
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, java.awt.Color colour, boolean dashed) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (!Double.isNaN(y[k])) { // a dose without units (no class present) is not drawn
                xs.add(x[k]);
                ys.add(y[k]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }
}
